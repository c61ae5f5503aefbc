using System.Diagnostics;
using System.Net;
using ReloadHandle.Sources.Etcd.Tests;

namespace ReloadHandle.Cli.Tests;

/// <summary>
/// The seed scenario with real processes: a real etcd, three ApiGateway instances watching their routes in it (one
/// with a stricter rule), and reloadctl publishing with a CI's TRACEPARENT. From the spans the instances export, each
/// request names the config id and label that was published, each reload span is a child of the publisher's span, a
/// rejected deploy fails the gate naming the instance and its error, and a restarted instance reports the same id.
/// </summary>
public sealed class DeployGateTests : IAsyncLifetime
{
    private const string Key = "gateway/routes";
    private readonly string _directory = Directory.CreateTempSubdirectory("reloadctl-e2e-").FullName;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, ActivityHeadersPropagator = null }) { Timeout = TimeSpan.FromSeconds(30) };
    private EtcdServer _etcd = null!;
    private Upstream _upstream = null!;
    private OtlpReceiver _otlp = null!;
    private GatewayInstance[] _instances = [];

    private GatewayInstance A => _instances[0];

    private GatewayInstance Strict => _instances[2];

    public async Task InitializeAsync()
    {
        _etcd = await EtcdServer.StartAsync();
        _upstream = await Upstream.StartAsync("blue");
        _otlp = await OtlpReceiver.StartAsync();
        RoutesFile.WriteStatic(_directory);
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await _otlp.DisposeAsync();
        await _upstream.DisposeAsync();
        await _etcd.DisposeAsync();
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_deploy_is_traced_from_the_publisher_to_every_request_and_the_gate_names_the_instance_that_refused_it()
    {
        var v0 = await PublishAsync(RoutesFile.With(_upstream.Url, routes: 1), "v0");
        _instances =
        [
            GatewayInstance.Create("gw-a", _directory, _etcd.Endpoint, Key),
            GatewayInstance.Create("gw-b", _directory, _etcd.Endpoint, Key),
            GatewayInstance.Create("gw-c", _directory, _etcd.Endpoint, Key, maxRoutes: 1),
        ];
        await Task.WhenAll(_instances.Select(i => i.StartAsync()));
        (await WaitAsync("--id", v0.Field("config id"))).ExitCode.Should().Be(0);

        var v1Id = await DeployTracedAsync();
        var v2Id = await DeployRejectedAsync(v1Id);
        await RestartKeepsTheIdAsync(v2Id);
        await HistoryNamesTheDeploysAsync(v1Id, v2Id);
    }

    /// <summary>v1 with the CI's TRACEPARENT: every request span carries v1's id and label, every reload span is the publisher's child.</summary>
    private async Task<string> DeployTracedAsync()
    {
        var ci = ActivityContext.Parse($"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01", null);
        var v1Bytes = RoutesFile.With(_upstream.Url, routes: 1, cluster: "green");
        var v1 = await PublishAsync(v1Bytes, "v1", new Dictionary<string, string>
        {
            ["TRACEPARENT"] = $"00-{ci.TraceId}-{ci.SpanId}-01",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _otlp.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        var v1Id = v1.Field("config id");
        v1Id.Should().Be(ConfigIdentity.Of(v1Bytes), "the id is the content's, computed the same way everywhere");
        var publisherSpan = ActivityContext.Parse(v1.Field("trace"), null);
        publisherSpan.TraceId.Should().Be(ci.TraceId, "the tool continues the CI's trace");
        publisherSpan.SpanId.Should().NotBe(ci.SpanId, "the tool's own span is a child of the CI's");

        var gate = await WaitAsync("--key", Key);
        gate.ExitCode.Should().Be(0, gate.ToString());
        gate.Output.Should().Contain("gw-a  ACK").And.Contain("gw-b  ACK").And.Contain("gw-c  ACK");

        foreach (var instance in _instances)
        {
            var request = await RequestSpanAsync(instance);
            (request.Tag("config.routes.id"), request.Tag("config.routes.label")).Should().Be((v1Id, "v1"), $"{instance.Instance} served the request on v1");
            var reload = await SpanAsync(instance, s => s.Name == "reload" && s.Tag("reload.handle") == "routes" && s.Tag("reload.config.id") == v1Id, "the reload span of v1");
            (reload.TraceId, reload.ParentSpanId).Should().Be((ci.TraceId.ToHexString(), publisherSpan.SpanId.ToHexString()), $"{instance.Instance}'s reload span is a child of the publisher's span");
            reload.Tag("reload.publisher").Should().Be("ci: deploy #1");
        }

        await Wait.UntilAsync(
            () => _otlp.Holds(ci.TraceId.ToHexString(), publisherSpan.SpanId.ToHexString(), ci.SpanId.ToHexString()),
            () => $"the publisher's span should reach the OTLP endpoint with the CI's span as its parent ({_otlp.Bodies.Count} bodies)");
        return v1Id;
    }

    /// <summary>v2 has two routes: gw-c refuses it, the gate fails naming gw-c and its error, gw-a and gw-b serve v2.</summary>
    private async Task<string> DeployRejectedAsync(string v1Id)
    {
        var v2Id = (await PublishAsync(RoutesFile.With(_upstream.Url, routes: 2), "v2")).Field("config id");
        var gate = await WaitAsync("--id", v2Id);
        gate.ExitCode.Should().Be(3, gate.ToString());
        gate.Errors.Should().Contain("rejected by gw-c (").And.Contain("this instance takes at most 1 route(s), got 2");
        gate.Errors.Should().NotContain("gw-a (").And.NotContain("gw-b (").And.NotContain("behind");

        foreach (var instance in _instances)
        {
            var expected = instance == Strict ? v1Id : v2Id;
            (await RequestSpanAsync(instance)).Tag("config.routes.id").Should().Be(expected, $"{instance.Instance} serves {(instance == Strict ? "v1, having refused v2" : "v2")}");
        }

        var status = await Reloadctl.RunAsync(["status", "--handle", "routes", "--key", Key, "--etcd", _etcd.Endpoint]);
        status.ExitCode.Should().Be(0, status.ToString());
        var rows = status.Output.Split('\n').Where(l => l.StartsWith("gw-", StringComparison.Ordinal)).ToList();
        rows.Should().HaveCount(3, status.ToString());
        rows.Single(r => r.StartsWith("gw-c", StringComparison.Ordinal)).Should().Contain("rejected").And.Contain("NACK").And.Contain(v1Id).And.Contain($"refused {v2Id}");
        rows.Where(r => !r.StartsWith("gw-c", StringComparison.Ordinal)).Should().AllSatisfy(r => r.Should().Contain("running").And.Contain("ACK").And.Contain(v2Id).And.Contain("v2"));
        return v2Id;
    }

    /// <summary>gw-a killed and started again: a new local version, the same config id, on its request spans and in its log.</summary>
    private async Task RestartKeepsTheIdAsync(string v2Id)
    {
        var before = await RequestSpanAsync(A);
        await A.KillAsync();
        await A.StartAsync();
        var after = await RequestSpanAsync(A);
        after.Tag("config.routes.id").Should().Be(before.Tag("config.routes.id")).And.Be(v2Id);
        after.Tag("config.routes.label").Should().Be("v2");
        (before.Tag("config.routes.version"), after.Tag("config.routes.version")).Should().Be(("3", "1"), "the version orders changes in one process only");
        A.Output.Should().Contain($"config id {v2Id} (label v2", "the log names the id too");
    }

    /// <summary>history lists the deploys with their ids, labels and publisher; a rollback to v1 passes the gate again.</summary>
    private async Task HistoryNamesTheDeploysAsync(string v1Id, string v2Id)
    {
        var history = await Reloadctl.RunAsync(["history", "--key", Key, "--etcd", _etcd.Endpoint]);
        history.ExitCode.Should().Be(0, history.ToString());
        var rows = history.Output.Split('\n').Where(l => char.IsDigit(l.FirstOrDefault())).ToList();
        rows.Should().HaveCount(3, history.ToString());
        rows[0].Should().Contain(v2Id).And.Contain("v2").And.Contain("ci: deploy #1");
        rows[1].Should().Contain(v1Id).And.Contain("v1");

        var rollback = await Reloadctl.RunAsync(["rollback", "--key", Key, "--id", v1Id, "--publisher", "ops", "--etcd", _etcd.Endpoint]);
        rollback.ExitCode.Should().Be(0, rollback.ToString());
        rollback.Field("config id").Should().Be(v1Id);
        rollback.Field("label").Should().StartWith("rollback to v1 (revision ");
        (await WaitAsync("--id", v1Id)).ExitCode.Should().Be(0, "every instance runs v1 again: gw-c never left it");
    }

    private async Task<Reloadctl.Result> PublishAsync(byte[] content, string label, Dictionary<string, string>? environment = null)
    {
        var file = Path.Combine(_directory, $"routes-{label}.json");
        await File.WriteAllBytesAsync(file, content);
        var result = await Reloadctl.RunAsync(["publish", file, "--key", Key, "--label", label, "--publisher", "ci: deploy #1", "--etcd", _etcd.Endpoint], environment);
        result.ExitCode.Should().Be(0, result.ToString());
        return result;
    }

    private Task<Reloadctl.Result> WaitAsync(string option, string value) =>
        Reloadctl.RunAsync(["wait", "--handle", "routes", option, value, "--instances", "3", "--timeout", "60s", "--poll-interval", "100ms", "--etcd", _etcd.Endpoint]);

    /// <summary>Sends a request of a new trace through <paramref name="instance"/> and returns its server span.</summary>
    private async Task<RecordedSpan> RequestSpanAsync(GatewayInstance instance)
    {
        var trace = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(instance.Url, "/orders/42"));
        request.Headers.Add("x-api-key", GatewayInstance.ApiKey);
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await _http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadAsStringAsync()).Should().Be("blue");
        return await SpanAsync(instance, s => s.TraceId == trace && s.Tag("config.routes.id") is not null, $"the request span of trace {trace}");
    }

    private static Task<RecordedSpan> SpanAsync(GatewayInstance instance, Func<RecordedSpan, bool> match, string what) =>
        Wait.ForAsync(
            async () => (await instance.SpansAsync()).LastOrDefault(match),
            () => $"{instance.Instance} should export {what}; its output:\n{instance.Output}");
}
