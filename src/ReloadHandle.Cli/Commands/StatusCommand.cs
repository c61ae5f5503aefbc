using System.CommandLine;
using System.Globalization;
using ReloadHandle.Cli.Output;
using ReloadHandle.Fleet;

namespace ReloadHandle.Cli.Commands;

/// <summary><c>reloadctl status</c>: every instance of a handle, what it runs and how it answered, against a target.</summary>
internal static class StatusCommand
{
    private static readonly string[] Headers = ["INSTANCE", "STATE", "HEALTH", "ACK", "CONFIG ID", "LABEL", "APPLIED AT", "ERROR"];

    public static Command Create()
    {
        var store = new StoreOptions();
        var fleet = new FleetOptions();
        var target = new TargetOptions(required: false);
        var command = new Command("status", "Show every instance of a handle: whether it runs the target (the live content of --key, or --id; else the newest revision reported), its health, ACK/NACK, config id, label, when it applied it, and its last error.");
        fleet.AddTo(command);
        target.AddTo(command);
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(
            async () =>
            {
                var backend = await store.OpenAsync(parse, cancellationToken).ConfigureAwait(false);
                await using (backend.ConfigureAwait(false))
                {
                    var resolved = await target.ResolveAsync(parse, backend, cancellationToken).ConfigureAwait(false);
                    var reports = backend.OpenFleet(fleet.StatusPrefix(parse));
                    await using (reports.ConfigureAwait(false))
                    {
                        var handle = fleet.Handle(parse);
                        var view = await FleetView.ReadAsync(reports, handle, resolved?.Target, cancellationToken).ConfigureAwait(false);
                        Print(view, resolved?.Name ?? view.Target.ToString());
                    }
                }

                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    private static void Print(FleetView view, string target)
    {
        Console.WriteLine($"'{view.Handle}' against {target}: {view.Running.Count} running, {view.Rejected.Count} rejected, {view.Behind.Count} behind");
        if (view.Instances.Count == 0)
        {
            Console.WriteLine("no instance reports (reporters write under the status prefix while they run)");
            return;
        }

        Console.WriteLine(TextTable.Render(Headers, view.Instances.Select(entry => (IReadOnlyList<string?>)
        [
            entry.Instance,
            view.Running.Contains(entry) ? "running" : view.Rejected.Contains(entry) ? "rejected" : "behind",
            entry.State,
            entry.Status switch { FleetStatus.Ack => "ACK", FleetStatus.Nack => "NACK", _ => "pending" },
            entry.ConfigId,
            entry.Label,
            entry.AppliedAt?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            entry.Status == FleetStatus.Nack && entry.AttemptedConfigId is { } refused ? $"refused {refused}: {entry.LastError}" : entry.LastError,
        ])));
    }
}
