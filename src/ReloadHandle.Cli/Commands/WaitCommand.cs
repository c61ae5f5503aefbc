using System.CommandLine;
using System.Diagnostics;
using ReloadHandle.Cli.Gate;
using ReloadHandle.Cli.Output;
using ReloadHandle.Cli.Tracing;
using ReloadHandle.Fleet;
using ReloadHandle.Sources;

namespace ReloadHandle.Cli.Commands;

/// <summary><c>reloadctl wait</c>: the deploy gate. Reads the fleet until enough instances ACK the config id, one NACKs it, or time runs out.</summary>
internal static class WaitCommand
{
    public static Command Create()
    {
        var instances = new Option<int?>("--instances") { Description = "how many instances must run it (default: every instance that reports, at least one)", HelpName = "n" };
        var timeout = new Option<TimeSpan?>("--timeout") { Description = "give up after this long (90s, 2m, …) [default 2m]", CustomParser = Durations.Parse, HelpName = "duration" };
        var poll = new Option<TimeSpan?>("--poll-interval") { Description = "how often to read the fleet [default 500ms]", CustomParser = Durations.Parse, HelpName = "duration" };
        var store = new StoreOptions();
        var fleet = new FleetOptions();
        var target = new TargetOptions(required: true);
        var command = new Command("wait", "Wait until the fleet runs a config id: exit 0 when enough instances ACK it, 3 as soon as one NACKed it and the others answered, 4 at the timeout; every failure names each instance that NACKed (with its error) or is behind.")
        {
            instances, timeout, poll,
        };
        fleet.AddTo(command);
        target.AddTo(command);
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(
            async () =>
            {
                if (parse.GetValue(instances) is < 1)
                {
                    throw new CliException(ExitCodes.Usage, "--instances must be at least 1");
                }

                var backend = await store.OpenAsync(parse, cancellationToken).ConfigureAwait(false);
                await using (backend.ConfigureAwait(false))
                {
                    var (goal, name) = (await target.ResolveAsync(parse, backend, cancellationToken).ConfigureAwait(false))!.Value;
                    var reports = backend.OpenFleet(fleet.StatusPrefix(parse));
                    await using (reports.ConfigureAwait(false))
                    {
                        var gate = new Gate(reports, fleet.Handle(parse), goal, name, parse.GetValue(instances));
                        return await gate.RunAsync(parse.GetValue(timeout) ?? TimeSpan.FromMinutes(2), parse.GetValue(poll) ?? TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
                    }
                }
            },
            cancellationToken));
        return command;
    }

    private sealed class Gate(IFleetStore reports, string handle, FleetTarget goal, string name, int? instances)
    {
        public async Task<int> RunAsync(TimeSpan timeout, TimeSpan poll, CancellationToken cancellationToken)
        {
            using var span = CliTracing.StartSpan("reloadctl wait");
            span.SetTag(SpanTags.Handle, handle).SetTag(SpanTags.ConfigId, goal.ConfigId);
            var progress = new GateProgress(Console.Out, terminal: !Console.IsOutputRedirected);
            Console.WriteLine($"waiting for {(instances is { } n ? $"{n} instance(s)" : "every instance")} of '{handle}' to run {name} (timeout {Durations.Format(timeout)})");
            var clock = Stopwatch.StartNew();
            FleetView? view = null;
            string? storeError = null;
            while (true)
            {
                try
                {
                    view = await FleetView.ReadAsync(reports, handle, goal, cancellationToken).ConfigureAwait(false);
                    storeError = null;
                    progress.Show(view, clock.Elapsed);
                }
                catch (SourceException failure)
                {
                    // A store that blinks must not fail the gate: report it once and keep reading until the timeout.
                    if (failure.Message != storeError)
                    {
                        progress.Line($"  (cannot read the fleet: {failure.Message})");
                    }

                    storeError = failure.Message;
                }

                var state = view is null || storeError is not null ? GateState.Waiting : FleetGate.Judge(view, instances);
                if (state != GateState.Waiting || clock.Elapsed >= timeout)
                {
                    progress.Clear();
                    return End(span, state, view, storeError, timeout);
                }

                await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
            }
        }

        private int End(Activity span, GateState state, FleetView? view, string? storeError, TimeSpan timeout)
        {
            span.SetTag(SpanTags.Running, view?.Running.Count).SetTag(SpanTags.Rejected, view?.Rejected.Count).SetTag(SpanTags.Behind, view?.Behind.Count);
            span.SetTag(SpanTags.Outcome, state == GateState.Waiting ? "timeout" : state.ToString().ToLowerInvariant());
            if (state == GateState.Passed)
            {
                Console.WriteLine($"ok: {view!.Running.Count} instance(s) of '{handle}' run {name}");
                return ExitCodes.Ok;
            }

            var message = storeError is not null && view is null
                ? $"timed out after {Durations.Format(timeout)}: cannot read the fleet: {storeError}"
                : state == GateState.Rejected
                    ? FleetGate.Failure(view!, name, instances)
                    : $"timed out after {Durations.Format(timeout)}: {FleetGate.Failure(view!, name, instances)}";
            span.SetStatus(ActivityStatusCode.Error, message);
            var code = storeError is not null && view is null ? ExitCodes.Failed
                : view!.Rejected.Count > 0 ? ExitCodes.Rejected : ExitCodes.Timeout;
            return CommandRunner.Fail(code, message);
        }
    }
}
