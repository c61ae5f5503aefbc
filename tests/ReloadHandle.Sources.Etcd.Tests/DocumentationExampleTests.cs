using ReloadHandle.Fleet;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>The example of docs/sources/etcd.md, verbatim between the markers, run against a real etcd.</summary>
[Collection("etcd")]
public sealed class DocumentationExampleTests(EtcdFixture fixture)
{
    public sealed record Limits(int Rps);

    private static void Rules(ReloadHandleBuilder<Limits> b) => b.Validate(l => l.Rps > 0, "rps must be positive");

    [Fact]
    public async Task The_documented_rollout_runs()
    {
        var endpoint = fixture.Server.Endpoint;
        var output = new StringWriter();
        var Console = output; // the example prints; the test reads what it printed

        // --- begin example ---
        using var etcd = EtcdClientFactory.Create(endpoint, new EtcdSourceOptions());

        // Two instances of a service read the same key.
        var builderA = new ReloadHandleBuilder<Limits>("limits").FromEtcd(etcd, "demo/limits");
        Rules(builderA);
        await using var instanceA = builderA.Build();
        var builderB = new ReloadHandleBuilder<Limits>("limits").FromEtcd(etcd, "demo/limits");
        Rules(builderB);
        await using var instanceB = builderB.Build();

        // A deploy pipeline writes the first version.
        var writer = new EtcdConfigWriter<Limits>(etcd, "demo/limits", Rules);
        var v1 = await writer.PutAsync("{\"rps\":100}"u8.ToArray(), expectedRevision: 0);

        await instanceA.StartAsync();
        await instanceB.StartAsync();
        await using var reportA = EtcdFleetReporter.Start(etcd, instanceA, o => o.InstanceId = "a");
        await using var reportB = EtcdFleetReporter.Start(etcd, instanceB, o => o.InstanceId = "b");

        // An invalid payload never reaches etcd.
        var bad = await writer.PutAsync("{\"rps\":0}"u8.ToArray(), expectedRevision: v1.Revision);
        Console.WriteLine($"{bad.Outcome}: {string.Join("; ", bad.Errors)}");   // Rejected: rps must be positive

        // A good one rolls out; wait until the fleet runs it.
        var v2 = await writer.PutAsync("{\"rps\":200}"u8.ToArray(), expectedRevision: v1.Revision);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        FleetView view;
        do
        {
            await Task.Delay(50, deadline.Token); // give up after 30 s
            view = await EtcdFleetView.ReadAsync(etcd, "limits", v2.Revision);
        }
        while (!view.IsConverged);
        Console.WriteLine($"{view.Instances.Count} instances run revision {v2.Revision}: rps = {instanceA.Current.Value.Rps}");
        // --- end example ---

        output.ToString().Should().Be(
            $"Rejected: rps must be positive{Environment.NewLine}2 instances run revision {v2.Revision}: rps = 200{Environment.NewLine}");
        instanceB.Current.Value.Rps.Should().Be(200);
    }
}
