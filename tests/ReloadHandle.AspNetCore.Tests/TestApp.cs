using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReloadHandle.AspNetCore;
using ReloadHandle.Fleet;
using ReloadHandle.TestShared;

// Activity listeners are process-wide and the machine has two cores: one app at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace ReloadHandle.AspNetCore.Tests;

/// <summary>Which admin endpoints the test app maps.</summary>
/// <param name="Writes">Name the write policy (<c>reload-admin</c>: role operator), or map read-only.</param>
/// <param name="Fleet">Register an in-memory fleet store with this instance reporting to it.</param>
/// <param name="ReadPolicy">Require the <c>reload-viewer</c> policy (any known user) on the whole group.</param>
internal sealed record AppSetup(bool Writes = true, bool Fleet = true, bool ReadPolicy = false);

/// <summary>
/// A gateway-like app on real Kestrel (127.0.0.1, a free port): handles <c>routes</c> and <c>limits</c> on real files
/// in a temp directory, basic authentication (<see cref="TestAuthentication"/>), antiforgery, and
/// <c>MapReloadHandles("/reload")</c>. Starts with routes v1 (orders → blue) and the secret <see cref="Canary"/>.
/// </summary>
internal sealed class TestApp : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly WebApplication _app;
    private readonly FleetReporter? _reporter;

    private TestApp(string directory, WebApplication app, CapturedLogs logs, InMemoryFleetStore? fleet, FleetReporter? reporter, string canary)
    {
        (Directory, _app, Logs, Fleet, _reporter, Canary) = (directory, app, logs, fleet, reporter, canary);
        BaseUrl = app.Urls.First();
    }

    public string Directory { get; }

    public string BaseUrl { get; }

    public string DashboardUrl => BaseUrl + "/reload/";

    public CapturedLogs Logs { get; }

    public InMemoryFleetStore? Fleet { get; }

    /// <summary>The secret upstream token of routes v1: no response, page or log line may hold it.</summary>
    public string Canary { get; }

    public IServiceProvider Services => _app.Services;

    public ReloadHandle<RouteTable> Routes => _app.Services.GetRequiredService<ReloadHandle<RouteTable>>();

    public static async Task<TestApp> StartAsync(AppSetup? setup = null)
    {
        setup ??= new AppSetup();
        var directory = System.IO.Directory.CreateTempSubdirectory("reloadhandle-aspnetcore-").FullName;
        var canary = "canary-" + Guid.NewGuid().ToString("N");
        await WriteAsync(directory, "routes.json", Json.Routes("blue", canary));
        await WriteAsync(directory, "limits.json", Json.Limits(100));

        var logs = new CapturedLogs();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddReloadable<RouteTable>("routes").FromFile(Path.Combine(directory, "routes.json")).Validate(RouteTable.Validate);
        builder.Services.AddReloadable<Limits>("limits").FromFile(Path.Combine(directory, "limits.json"));
        builder.Services.AddAuthentication(TestAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthentication>(TestAuthentication.SchemeName, null);
        builder.Services.AddAuthorization(o =>
        {
            o.AddPolicy("reload-viewer", p => p.RequireAuthenticatedUser());
            o.AddPolicy("reload-admin", p => p.RequireRole("operator"));
        });
        builder.Services.AddAntiforgery();
        var fleet = setup.Fleet ? new InMemoryFleetStore() : null;
        if (fleet is not null)
        {
            builder.Services.AddSingleton<IFleetStore>(fleet);
        }

        var app = builder.Build();
        var group = app.MapReloadHandles("/reload", o =>
        {
            o.WritePolicy = setup.Writes ? "reload-admin" : null;
            o.StatusInterval = TimeSpan.FromMilliseconds(500);
        });
        if (setup.ReadPolicy)
        {
            group.RequireAuthorization("reload-viewer");
        }

        await app.StartAsync();
        var reporter = fleet is null ? null : FleetReporter.Start(app.Services.GetRequiredService<IReloadable<RouteTable>>(), fleet, o => o.InstanceId = "gw-local");
        return new TestApp(directory, app, logs, fleet, reporter, canary);
    }

    /// <summary>A client of the app; with <paramref name="user"/>, it sends basic credentials (and keeps cookies, for antiforgery).</summary>
    public AdminClient Client(string? user = null) => new(new Uri(BaseUrl), user);

    /// <summary>Replaces a file the safe way (a temp file renamed over it).</summary>
    public Task WriteAsync(string file, string content) => WriteAsync(Directory, file, content);

    /// <summary>Writes routes.json and waits for the handle's verdict.</summary>
    public async Task<ReloadResult<RouteTable>> EditRoutesAsync(string content, ReloadOutcome expected)
    {
        var verdict = Routes.Attempts.FirstAsync(a => a.Outcome == expected).ToTask();
        await WriteAsync("routes.json", content);
        try
        {
            return await verdict.WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no {expected} attempt of 'routes' within {Bound.TotalSeconds} s; status {Routes.Status}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_reporter is not null)
        {
            await _reporter.DisposeAsync();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static async Task WriteAsync(string directory, string file, string content)
    {
        var path = Path.Combine(directory, file);
        await File.WriteAllTextAsync(path + ".tmp", content);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}

/// <summary>The second handle's config.</summary>
public sealed record Limits(int Orders);

/// <summary>An HTTP client of the admin endpoints: basic credentials when it has a user, a cookie jar, the antiforgery token of the page.</summary>
internal sealed class AdminClient : IDisposable
{
    private static readonly System.Text.RegularExpressions.Regex TokenPattern = new("data-token=\"([^\"]*)\" data-token-header=\"([^\"]*)\"");

    public AdminClient(Uri baseAddress, string? user)
    {
        Http = new HttpClient(new SocketsHttpHandler { UseProxy = false, CookieContainer = new CookieContainer() }) { BaseAddress = baseAddress, Timeout = TestApp.Bound };
        if (user is not null)
        {
            var password = user == "ops" ? TestAuthentication.OperatorPassword : TestAuthentication.ViewerPassword;
            Http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", TestAuthentication.Header(user, password));
        }
    }

    public HttpClient Http { get; }

    /// <summary>Loads the dashboard page (which sets the antiforgery cookie) and returns the token and its header name, empty when the page offers no writes.</summary>
    public async Task<(string Token, string Header)> AntiforgeryAsync()
    {
        var page = await Http.GetStringAsync("/reload/");
        var match = TokenPattern.Match(page);
        match.Success.Should().BeTrue("the page carries its token attributes");
        return (WebUtility.HtmlDecode(match.Groups[1].Value), WebUtility.HtmlDecode(match.Groups[2].Value));
    }

    /// <summary>POSTs JSON to an admin path, with the page's antiforgery token when <paramref name="withToken"/>.</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, string? json, bool withToken = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        if (withToken)
        {
            var (token, header) = await AntiforgeryAsync();
            if (header.Length > 0)
            {
                request.Headers.TryAddWithoutValidation(header, token);
            }
        }

        return await Http.SendAsync(request);
    }

    public void Dispose() => Http.Dispose();
}
