using System.CommandLine;
using System.Globalization;
using ReloadHandle.Cli.Output;
using ReloadHandle.Cli.Stores;

namespace ReloadHandle.Cli.Commands;

/// <summary><c>reloadctl history</c>: the writes of a key that the store still holds, with ids, labels, publishers and traces.</summary>
internal static class HistoryCommand
{
    private static readonly string[] Headers = ["REVISION", "CONFIG ID", "LABEL", "PUBLISHER", "TRACE"];

    public static Command Create()
    {
        var limit = new Option<int?>("--limit") { Description = "list at most this many writes [default 20]", HelpName = "n" };
        var store = new StoreOptions();
        var key = new KeyOptions(required: true);
        var command = new Command("history", "List the writes of a key that etcd still holds (until compaction), newest first: revision, config id, and the label, publisher and trace stamped with each. Find the deploy behind a config id from a trace here.")
        {
            limit,
        };
        key.AddTo(command);
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(
            async () =>
            {
                var count = parse.GetValue(limit) ?? 20;
                if (count < 1)
                {
                    throw new CliException(ExitCodes.Usage, "--limit must be at least 1");
                }

                var backend = await store.OpenAsync(parse, cancellationToken).ConfigureAwait(false);
                await using (backend.ConfigureAwait(false))
                {
                    var config = backend.OpenConfig(key.Key(parse)!, key.IsPrefix(parse));
                    var history = await config.ReadHistoryAsync(count, cancellationToken).ConfigureAwait(false);
                    if (history.Writes.Count == 0)
                    {
                        throw new CliException(ExitCodes.NotFound, $"{config.Name} does not exist (a key deleted now has no history here)");
                    }

                    Console.WriteLine($"{config.Name}: {history.Writes.Count} write(s), newest (live) first");
                    Console.WriteLine(TextTable.Render(Headers, history.Writes.Select(w => (IReadOnlyList<string?>)
                        [w.Revision.ToString(CultureInfo.InvariantCulture), w.ConfigId, w.Label, w.Publisher, w.TraceParent])));
                    Console.WriteLine(End(history));
                }

                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    private static string End(ConfigHistory history) => history.End switch
    {
        HistoryEnd.Compacted => "(older revisions were compacted away)",
        HistoryEnd.Created => string.Create(CultureInfo.InvariantCulture, $"(the key did not exist before revision {history.Writes[^1].Revision})"),
        _ => "(more with a higher --limit)",
    };
}
