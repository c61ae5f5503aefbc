using ReloadHandle.TestShared;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Security.Cryptography;
using ApiGateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReloadHandle;
using Samples.Admin;

// Activity listeners are process-wide and the machine has two cores: one gateway at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Samples.ApiGateway.Tests;

/// <summary>
/// The sample's gateway on real Kestrel (127.0.0.1:0) over config files in a temp directory, with two upstreams
/// ("blue" and "green") that answer with their name. At start: /orders and /catalog go to blue; /orders is limited to
/// far more than the tests can send; client "alpha" holds <see cref="AlphaKey"/>.
/// </summary>
internal sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _blue;
    private readonly WebApplication _green;
    private readonly WebApplication _app;
    private bool _stopped;

    private TestGateway(string directory, WebApplication blue, WebApplication green, WebApplication app, CapturedLogs logs, RecordedSpans spans, string alphaKey)
    {
        (Directory, _blue, _green, _app, Logs, Spans, AlphaKey) = (directory, blue, green, app, logs, spans, alphaKey);
        Http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ActivityHeadersPropagator = null }) // each request sets its own traceparent
        {
            BaseAddress = new Uri(app.Urls.First()),
            Timeout = Load.Bound,
        };
    }

    public string Directory { get; }

    public string AlphaKey { get; }

    public string BlueUrl => _blue.Urls.First();

    public string GreenUrl => _green.Urls.First();

    public HttpClient Http { get; }

    /// <summary>The gateway's services (YARP's state, the handles).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The admin port's dashboard address, such as <c>http://127.0.0.1:41234/reload/</c>.</summary>
    public string AdminUrl => _app.Services.GetRequiredService<AdminPort>().Url;

    /// <summary>admins.json's operator <c>ops</c> and viewer <c>auditor</c>.</summary>
    public const string OperatorPassword = "ops-7f3a9c2e5b1d";
    public const string ViewerPassword = "auditor-2c8e4a6f";

    public IReloadable<AdminUsers> Admins => _app.Services.GetRequiredService<IReloadable<AdminUsers>>();

    /// <summary>A client of the admin port, with basic credentials when <paramref name="user"/> is given and a cookie jar (for antiforgery).</summary>
    public HttpClient AdminClient(string? user = null, string? password = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = new Uri(AdminUrl), Timeout = Load.Bound };
        if (user is not null)
        {
            password ??= user == "ops" ? OperatorPassword : ViewerPassword;
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        return client;
    }

    public CapturedLogs Logs { get; }

    public RecordedSpans Spans { get; }

    public IReloadable<RouteTable> Routes => _app.Services.GetRequiredService<IReloadable<RouteTable>>();

    public IReloadable<RateLimits> Limits => _app.Services.GetRequiredService<IReloadable<RateLimits>>();

    public IReloadable<ApiKeys> Keys => _app.Services.GetRequiredService<IReloadable<ApiKeys>>();

    public static string NewKey(string client) => $"{client}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}";

    /// <param name="configure">Last changes to the gateway's builder (an exporter, say).</param>
    /// <param name="probationWindow">The routes handle's probation window; the gateway's default unless given.</param>
    public static async Task<TestGateway> StartAsync(Action<WebApplicationBuilder>? configure = null, TimeSpan? probationWindow = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("apigateway-tests-").FullName;
        var blue = await Demo.StartUpstreamAsync("blue");
        var green = await Demo.StartUpstreamAsync("green");
        var alphaKey = NewKey("alpha");
        await WriteAsync(directory, "routes.json", Json.Routes(blue.Urls.First(), green.Urls.First(), orders: "blue"));
        await WriteAsync(directory, "limits.json", Json.Limits(ordersPerSecond: 1_000_000, burst: 1_000_000));
        await WriteAsync(directory, "keys.json", Json.Keys(alphaKey));
        await WriteAsync(directory, "admins.json", Json.Admins(OperatorPassword, ViewerPassword));

        var logs = new CapturedLogs();
        var spans = new RecordedSpans();
        var app = await Gateway.BuildAsync(new GatewayOptions(directory, "http://127.0.0.1:0", AdminUrls: "http://127.0.0.1:0", ProbationWindow: probationWindow), builder =>
        {
            builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new TestGateway(directory, blue, green, app, logs, spans, alphaKey);
    }

    /// <summary>Replaces a config file the safe way (a temp file renamed over it).</summary>
    public Task WriteAsync(string file, string content) => WriteAsync(Directory, file, content);

    /// <summary>Writes a config file and waits for the handle's verdict on it.</summary>
    public async Task<ReloadResult<T>> EditAsync<T>(IReloadable<T> handle, ReloadOutcome expected, string file, string content)
    {
        var verdict = handle.Attempts.FirstAsync(attempt => attempt.Outcome == expected).ToTask();
        await WriteAsync(file, content);
        try
        {
            return await verdict.WaitAsync(Load.Bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no {expected} attempt of '{handle.Name}' within {Load.Bound.TotalSeconds} s; status {handle.Status}");
        }
    }

    /// <summary>One request with the key of client alpha (or <paramref name="key"/>): its status and body.</summary>
    public async Task<(int Status, string Body)> SendAsync(string path, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { GatewayMiddleware.ApiKeyHeader, key ?? AlphaKey } } };
        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Sends <paramref name="path"/> until the body is <paramref name="body"/> (YARP applies a version a moment after the handle); fails after <see cref="Load.Bound"/>.</summary>
    public async Task UntilServedByAsync(string path, string body)
    {
        using var bound = new CancellationTokenSource(Load.Bound);
        while ((await SendAsync(path)).Body != body)
        {
            bound.IsCancellationRequested.Should().BeFalse($"{path} answered by {body} within {Load.Bound.TotalSeconds} s");
            await Task.Delay(20);
        }
    }

    /// <summary>Stops the gateway: every request span has ended once this returns.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await StopAsync();
        await _app.DisposeAsync();
        await _blue.StopAsync();
        await _green.StopAsync();
        await _blue.DisposeAsync();
        await _green.DisposeAsync();
        Spans.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static async Task WriteAsync(string directory, string file, string content)
    {
        var path = Path.Combine(directory, file);
        await File.WriteAllTextAsync(path + ".tmp", content);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}

/// <summary>The config files the tests write.</summary>
internal static class Json
{
    public static string Routes(string blue, string green, string orders) => $$"""
        {
          "routes": [
            { "id": "orders",  "pathPrefix": "/orders",  "cluster": "{{orders}}" },
            { "id": "catalog", "pathPrefix": "/catalog", "cluster": "blue" }
          ],
          "clusters": [
            { "id": "blue",  "destinations": [ "{{blue}}" ] },
            { "id": "green", "destinations": [ "{{green}}" ] }
          ]
        }
        """;

    public static string Limits(double ordersPerSecond, int burst) =>
        $$"""{ "routes": { "orders": { "requestsPerSecond": {{ordersPerSecond}}, "burst": {{burst}} } } }""";

    public static string Admins(string operatorPassword, string viewerPassword) => $$"""
        { "users": [ { "name": "ops", "password": "{{operatorPassword}}", "role": "operator" },
                     { "name": "auditor", "password": "{{viewerPassword}}", "role": "viewer" } ] }
        """;

    public static string Keys(params string[] alphaKeys) =>
        $$"""{ "clients": [ { "name": "alpha", "keys": [ {{string.Join(", ", alphaKeys.Select(k => $"\"{k}\""))}} ] } ] }""";
}
