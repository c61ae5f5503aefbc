using System.CommandLine;

namespace ReloadHandle.Cli.Commands;

/// <summary>Which configuration: <c>--key</c> (or <c>RELOADCTL_KEY</c>) and <c>--prefix</c>.</summary>
internal sealed class KeyOptions(bool required)
{
    private readonly Option<string> _key = new("--key")
    {
        Description = $"the key the readers watch (with --prefix: the prefix) [env {Env.Key}]" + (required ? string.Empty : "; its live content is the target"),
        HelpName = "key",
    };

    private readonly Option<bool> _prefix = new("--prefix") { Description = "the key is a prefix: every key under it is one configuration (the readers' Prefix = true, JSON object layout)" };

    public void AddTo(Command command)
    {
        command.Options.Add(_key);
        command.Options.Add(_prefix);
    }

    /// <summary>The key, or <see langword="null"/> when it is optional and not given.</summary>
    public string? Key(ParseResult parse) => parse.GetValue(_key) ?? Env.Get(Env.Key)
        ?? (required ? throw new CliException(ExitCodes.Usage, $"--key is required (or set {Env.Key})") : null);

    public bool IsPrefix(ParseResult parse) => parse.GetValue(_prefix);
}
