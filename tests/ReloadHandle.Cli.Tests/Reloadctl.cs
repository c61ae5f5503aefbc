namespace ReloadHandle.Cli.Tests;

/// <summary>Runs the built tool as a process: <c>dotnet reloadctl.dll …</c>, bounded.</summary>
internal static class Reloadctl
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    /// <summary>Runs the tool to its end.</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var process = ChildProcess.Start(Programs.Reloadctl, args, environment);
        var code = await process.WaitForExitAsync(Bound);
        return new Result(code, process.Output, process.Errors);
    }

    /// <summary>What the tool did: exit code, standard output and standard error.</summary>
    public sealed record Result(int ExitCode, string Output, string Errors)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Errors}";

        /// <summary>The value of a <c>  name  value</c> line that publish prints (config id, trace).</summary>
        public string Field(string name) =>
            Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + "  ", StringComparison.Ordinal))?[name.Length..].Trim()
            ?? throw new InvalidOperationException($"no '{name}' line in:\n{this}");
    }
}
