using ReloadHandle.Sources;

namespace ReloadHandle.Cli.Commands;

/// <summary>Runs a command's body and turns every failure into one line on standard error and an exit code.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(Func<Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (CliException failure)
        {
            return Fail(failure.ExitCode, failure.Message);
        }
        catch (SourceException failure)
        {
            return Fail(ExitCodes.Failed, failure.Message); // etcd's failures already say who, what and during which call
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(ExitCodes.Canceled, "canceled");
        }
        catch (Exception unexpected) when (unexpected is not OutOfMemoryException)
        {
            return Fail(ExitCodes.Failed, $"unexpected {unexpected.GetType().Name}: {unexpected.Message}");
        }
    }

    public static int Fail(int exitCode, string message)
    {
        Console.Error.WriteLine($"error: {message.ReplaceLineEndings(" ")}");
        return exitCode;
    }
}
