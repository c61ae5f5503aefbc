using System.CommandLine;
using System.Globalization;
using ReloadHandle.Cli.Stores;
using ReloadHandle.Sources;

namespace ReloadHandle.Cli.Commands;

/// <summary><c>reloadctl rollback</c>: writes earlier content again — from the store's history or from a file — as a new write labelled as a rollback.</summary>
internal static class RollbackCommand
{
    public static Command Create()
    {
        var revision = new Option<long?>("--revision") { Description = "roll back to the content the key had at this revision (see history)", HelpName = "revision" };
        var id = new Option<string>("--id") { Description = "roll back to the newest write with this config id (8 or more hex digits)", HelpName = "config-id" };
        var file = new Option<string>("--file") { Description = "roll back to this file's content, as publish reads it (for Consul, which keeps no earlier values; or a file kept in git)", HelpName = "file" };
        var label = new Option<string>("--label") { Description = "the new write's label (default: 'rollback to <label or id> (revision N)')", HelpName = "text" };
        var publisher = new Option<string>("--publisher") { Description = $"who rolls back [env {Env.Publisher}; default: the CI job or user@host]", HelpName = "name" };
        var store = new StoreOptions();
        var key = new KeyOptions(required: true);
        var command = new Command("rollback", "Publish earlier content again as a new write (the readers validate it again), labelled as a rollback, with the publisher and the trace: an earlier revision's or config id's content from the store's history, or a file's. Follow with 'reloadctl wait'.")
        {
            revision, id, file, label, publisher,
        };
        key.AddTo(command);
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(
            async () =>
            {
                var prefix = key.IsPrefix(parse);
                var source = new Choice(parse.GetValue(revision), parse.GetValue(id), parse.GetValue(file));
                var backend = await store.OpenAsync(parse, cancellationToken).ConfigureAwait(false);
                await using (backend.ConfigureAwait(false))
                {
                    var config = backend.OpenConfig(key.Key(parse)!, prefix);
                    var (earlier, name) = await FindAsync(config, source, prefix, cancellationToken).ConfigureAwait(false);
                    var live = await config.ReadCurrentAsync(cancellationToken).ConfigureAwait(false);
                    if (live?.ConfigId == earlier.ConfigId)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{config.Name} already holds config {earlier.ConfigId} (revision {live.Revision}): nothing written"));
                        return ExitCodes.Ok;
                    }

                    await Publishing.WriteAsync(
                        "reloadctl rollback",
                        backend.Kind,
                        config,
                        earlier.Content,
                        parse.GetValue(label) ?? name,
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

    /// <summary>The content to write again and its default label.</summary>
    private static async Task<(StoredConfig Earlier, string Label)> FindAsync(IConfigStore config, Choice choice, bool prefix, CancellationToken cancellationToken)
    {
        if (new object?[] { choice.Revision, choice.Id, choice.File }.Count(o => o is not null) != 1)
        {
            throw new CliException(ExitCodes.Usage, "say where to roll back to: --revision <n>, --id <config id> or --file <file> (one of them)");
        }

        if (choice.File is { } path)
        {
            var content = await ContentFile.ReadAsync(path, prefix, cancellationToken).ConfigureAwait(false);
            var document = content.Entries is { } entries
                ? PrefixDocument.ComposeJson(entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, (ReadOnlyMemory<byte>)e.Value)))
                : content.Payload.ToArray();
            var configId = ConfigIdentity.Of(document);
            return (new StoredConfig(0, configId, content.Payload, content.Entries, null, null, null), $"rollback to {configId} (from {Path.GetFileName(path)})");
        }

        StoredConfig earlier;
        if (choice.Revision is { } at)
        {
            earlier = await config.ReadAtAsync(at, cancellationToken).ConfigureAwait(false)
                ?? throw new CliException(ExitCodes.NotFound, string.Create(CultureInfo.InvariantCulture, $"{config.Name} did not exist at revision {at}"));
        }
        else
        {
            var wanted = choice.Id!.Trim().ToLowerInvariant();
            var history = await config.ReadHistoryAsync(limit: 1000, cancellationToken).ConfigureAwait(false);
            var hint = history.End == HistoryEnd.NotKept ? "; Consul keeps no earlier values: roll back from a file with --file" : string.Empty;
            earlier = history.Writes.FirstOrDefault(w => wanted.Length >= 8 && (w.ConfigId.StartsWith(wanted, StringComparison.Ordinal) || wanted.StartsWith(w.ConfigId, StringComparison.Ordinal)))
                ?? throw new CliException(ExitCodes.NotFound, $"no write of {config.Name} that the store still holds has config id {wanted}{hint}");
        }

        return (earlier, string.Create(CultureInfo.InvariantCulture, $"rollback to {earlier.Label ?? earlier.ConfigId} (revision {earlier.Revision})"));
    }

    private sealed record Choice(long? Revision, string? Id, string? File);
}
