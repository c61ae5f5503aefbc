using System.CommandLine;
using ReloadHandle.Cli.Stores;
using ReloadHandle.Fleet;

namespace ReloadHandle.Cli.Commands;

/// <summary>What the fleet is compared against: <c>--id</c>, else the live content of <c>--key</c>.</summary>
internal sealed class TargetOptions(bool required)
{
    private readonly Option<string> _id = new("--id") { Description = "the config id to compare against (as publish printed it; 8 or more hex digits)", HelpName = "config-id" };
    private readonly KeyOptions _key = new(required: false);

    public void AddTo(Command command)
    {
        command.Options.Add(_id);
        _key.AddTo(command);
    }

    /// <summary>The target and how to name it in messages; <see langword="null"/> when neither option is given and none is required.</summary>
    public async Task<(FleetTarget Target, string Name)?> ResolveAsync(ParseResult parse, IStoreBackend backend, CancellationToken cancellationToken)
    {
        if (parse.GetValue(_id) is { } id)
        {
            if (id.Trim().Length < 8 || !id.Trim().All(Uri.IsHexDigit))
            {
                throw new CliException(ExitCodes.Usage, $"--id: '{id}' is not a config id (8 to 64 hex digits)");
            }

            return (FleetTarget.Id(id), $"config {id.Trim().ToLowerInvariant()}");
        }

        if (_key.Key(parse) is { } key)
        {
            var store = backend.OpenConfig(key, _key.IsPrefix(parse));
            var live = await store.ReadCurrentAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new CliException(ExitCodes.NotFound, $"{store.Name} does not exist: nothing to compare the fleet with");
            return (FleetTarget.Id(live.ConfigId), $"config {live.ConfigId}{(live.Label is { } label ? $" ({label})" : string.Empty)}, the live content of {store.Name}");
        }

        return required ? throw new CliException(ExitCodes.Usage, $"say what to wait for: --id <config id>, or --key (or {Env.Key}) for its live content") : null;
    }
}
