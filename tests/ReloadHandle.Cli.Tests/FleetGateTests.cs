using ReloadHandle.Cli.Gate;
using ReloadHandle.Fleet;

namespace ReloadHandle.Cli.Tests;

/// <summary>The gate's rule over one fleet view, in isolation.</summary>
public sealed class FleetGateTests
{
    private const string Target = "aaaaaaaaaaaaaaaa";
    private const string Old = "bbbbbbbbbbbbbbbb";

    [Fact]
    public void Passes_when_enough_instances_run_the_target_and_none_refused_it()
    {
        Judge(null, Running("a"), Running("b")).Should().Be(GateState.Passed);
        Judge(null, Running("a"), Behind("b")).Should().Be(GateState.Waiting, "without --instances every reporting instance must run it");
        Judge(2, Running("a"), Running("b"), Behind("c")).Should().Be(GateState.Passed);
        Judge(3, Running("a"), Running("b")).Should().Be(GateState.Waiting, "a third instance has not reported yet");
        Judge(null).Should().Be(GateState.Waiting, "no instance reports");
    }

    [Fact]
    public void Rejects_once_an_instance_refused_and_no_other_is_behind_so_every_refusal_is_named()
    {
        Judge(3, Running("a"), Refused("b"), Behind("c")).Should().Be(GateState.Waiting);
        Judge(3, Running("a"), Refused("b"), Refused("c")).Should().Be(GateState.Rejected);
        Judge(1, Running("a"), Refused("b")).Should().Be(GateState.Rejected, "enough instances run it, but one refused it");

        var view = FleetView.Of("routes", [Running("a"), Refused("b"), Behind("c")], FleetTarget.Id(Target));
        FleetGate.Failure(view, $"config {Target}", 3).Should()
            .Be($"1 of 3 instances run config {Target}; rejected by b (routes: too many); behind: c (runs {Old} v1, Healthy)");
    }

    private static GateState Judge(int? instances, params FleetEntry[] entries) =>
        FleetGate.Judge(FleetView.Of("routes", entries, FleetTarget.Id(Target)), instances);

    private static FleetEntry Running(string instance) => Entry(instance, FleetStatus.Ack, Target, Target);

    private static FleetEntry Behind(string instance) => Entry(instance, FleetStatus.Ack, Old, Old) with { Label = "v1" };

    private static FleetEntry Refused(string instance) => Entry(instance, FleetStatus.Nack, Old, Target) with { LastError = "routes: too many" };

    private static FleetEntry Entry(string instance, FleetStatus status, string live, string attempted) => new()
    {
        Handle = "routes",
        Instance = instance,
        Status = status,
        State = "Healthy",
        ConfigId = live,
        AttemptedConfigId = attempted,
    };
}
