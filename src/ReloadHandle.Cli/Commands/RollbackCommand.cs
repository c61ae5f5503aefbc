using System.CommandLine;
using System.Globalization;
using ReloadHandle.Cli.Stores;

namespace ReloadHandle.Cli.Commands;

/// <summary><c>reloadctl rollback</c>: writes an earlier revision's content again, as a new write labelled as a rollback.</summary>
internal static class RollbackCommand
{
    public static Command Create()
    {
        var revision = new Option<long?>("--revision") { Description = "roll back to the content the key had at this revision (see history)", HelpName = "revision" };
        var id = new Option<string>("--id") { Description = "roll back to the newest write with this config id (8 or more hex digits)", HelpName = "config-id" };
        var label = new Option<string>("--label") { Description = "the new write's label (default: 'rollback to <label or id> (revision N)')", HelpName = "text" };
        var publisher = new Option<string>("--publisher") { Description = $"who rolls back [env {Env.Publisher}; default: the CI job or user@host]", HelpName = "name" };
        var store = new StoreOptions();
        var key = new KeyOptions(required: true);
        var command = new Command("rollback", "Publish an earlier revision's content again as a new write (the readers validate it again), labelled as a rollback, with the publisher and the trace. Follow with 'reloadctl wait'.")
        {
            revision, id, label, publisher,
        };
        key.AddTo(command);
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(
            async () =>
            {
                var backend = await store.OpenAsync(parse, cancellationToken).ConfigureAwait(false);
                await using (backend.ConfigureAwait(false))
                {
                    var config = backend.OpenConfig(key.Key(parse)!, key.IsPrefix(parse));
                    var earlier = await FindAsync(config, parse.GetValue(revision), parse.GetValue(id), cancellationToken).ConfigureAwait(false);
                    var live = await config.ReadCurrentAsync(cancellationToken).ConfigureAwait(false);
                    if (live?.ConfigId == earlier.ConfigId)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{config.Name} already holds config {earlier.ConfigId} (revision {live.Revision}): nothing written"));
                        return ExitCodes.Ok;
                    }

                    var name = parse.GetValue(label)
                        ?? string.Create(CultureInfo.InvariantCulture, $"rollback to {earlier.Label ?? earlier.ConfigId} (revision {earlier.Revision})");
                    await Publishing.WriteAsync(
                        "reloadctl rollback",
                        backend.Kind,
                        config,
                        earlier.Content,
                        name,
                        PublisherIdentity.Resolve(parse.GetValue(publisher)),
                        expectedRevision: live?.Revision ?? 0, // no write may slip in between the read and this one
                        checkJson: false,
                        cancellationToken).ConfigureAwait(false);
                }

                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    private static async Task<StoredConfig> FindAsync(IConfigStore config, long? revision, string? id, CancellationToken cancellationToken)
    {
        if (revision is null == id is null)
        {
            throw new CliException(ExitCodes.Usage, "say where to roll back to: --revision <n> or --id <config id> (one of them)");
        }

        if (revision is { } at)
        {
            return await config.ReadAtAsync(at, cancellationToken).ConfigureAwait(false)
                ?? throw new CliException(ExitCodes.NotFound, string.Create(CultureInfo.InvariantCulture, $"{config.Name} did not exist at revision {at}"));
        }

        var wanted = id!.Trim().ToLowerInvariant();
        var history = await config.ReadHistoryAsync(limit: 1000, cancellationToken).ConfigureAwait(false);
        return history.Writes.FirstOrDefault(w => wanted.Length >= 8 && (w.ConfigId.StartsWith(wanted, StringComparison.Ordinal) || wanted.StartsWith(w.ConfigId, StringComparison.Ordinal)))
            ?? throw new CliException(ExitCodes.NotFound, $"no write of {config.Name} that etcd still holds has config id {wanted}");
    }
}
