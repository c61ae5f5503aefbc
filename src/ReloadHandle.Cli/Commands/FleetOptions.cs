using System.CommandLine;

namespace ReloadHandle.Cli.Commands;

/// <summary>Whose reports: <c>--handle</c> (the readers' handle name) and <c>--status-prefix</c>.</summary>
internal sealed class FleetOptions
{
    private readonly Option<string> _handle = new("--handle") { Description = $"the readers' handle name, as they report it (for example routes) [env {Env.Handle}]", HelpName = "name" };

    private readonly Option<string> _statusPrefix = new("--status-prefix")
    {
        Description = "where the instances' fleet reporters write [default reloadhandle/status/]",
        HelpName = "prefix",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_handle);
        command.Options.Add(_statusPrefix);
    }

    public string Handle(ParseResult parse) => parse.GetValue(_handle) ?? Env.Get(Env.Handle)
        ?? throw new CliException(ExitCodes.Usage, $"--handle is required (or set {Env.Handle})");

    public string StatusPrefix(ParseResult parse) => parse.GetValue(_statusPrefix) ?? "reloadhandle/status/";
}
