// A user's app, restored from the packed packages: registers a handle on a file, starts the host,
// edits the file and waits for the new version, then maps the admin endpoints. Exits 0 on success.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReloadHandle;
using ReloadHandle.Testing;

var directory = Directory.CreateTempSubdirectory("reloadhandle-consumer-");
var path = Path.Combine(directory.FullName, "routes.json");
await File.WriteAllTextAsync(path, """{"routes":["/a"]}""");

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Reload:Routes:File:Path"] = path });
builder.Services.AddReloadable<RouteTable>("routes")
    .FromFile(builder.Configuration.GetSection("Reload:Routes:File"))
    .Validate(t => t.Routes.Length > 0, "at least one route is required")
    .BridgeToOptions();
builder.Services.AddHealthChecks().AddReloadHandleCheck<RouteTable>("routes", failureStatus: HealthStatus.Degraded, timeout: TimeSpan.FromSeconds(5));
using var host = builder.Build();
await host.StartAsync();

var routes = host.Services.GetRequiredService<IReloadable<RouteTable>>();
Console.WriteLine($"started on Microsoft.Extensions.Hosting {typeof(Host).Assembly.GetName().Version} ({System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}): " +
    $"v{routes.Current.Version} {string.Join(",", host.Services.GetRequiredService<IOptionsMonitor<RouteTable>>().CurrentValue.Routes)}");
var token = routes.GetChangeToken();

var next = new TaskCompletionSource<Snapshot<RouteTable>>(TaskCreationOptions.RunContinuationsAsynchronously);
using (routes.Changes.Subscribe(new Observer(s => { if (s.Version == 2) next.TrySetResult(s); })))
{
    await File.WriteAllTextAsync(path, """{"routes":["/a","/b"]}""");
    var applied = await next.Task.WaitAsync(TimeSpan.FromSeconds(30));
    Console.WriteLine($"reloaded: v{applied.Version} {string.Join(",", applied.Value.Routes)}");
}

for (var deadline = DateTime.UtcNow.AddSeconds(10); !token.HasChanged; await Task.Delay(10))
{
    if (DateTime.UtcNow > deadline)
    {
        throw new TimeoutException("the change token did not fire for version 2");
    }
}

// Every source package's builder extension resolves from its package (built, not started: no servers here).
await using var fromHttp = new ReloadHandleBuilder<RouteTable>("http").FromHttp(new Uri("http://127.0.0.1:9/routes.json")).Build();
await using var fromEtcd = new ReloadHandleBuilder<RouteTable>("etcd").FromEtcd("http://127.0.0.1:2379", "/routes").Build();
await using var fromConsul = new ReloadHandleBuilder<RouteTable>("consul").FromConsul("http://127.0.0.1:8500", "routes").Build();
Console.WriteLine($"sources: {fromHttp.Source}, {fromEtcd.Source}, {fromConsul.Source}");

// The admin endpoints map from their package (its framework reference brings ASP.NET Core) onto Kestrel on loopback.
var web = WebApplication.CreateSlimBuilder();
web.WebHost.UseUrls("http://127.0.0.1:0");
web.Logging.ClearProviders();
web.Services.AddReloadable<RouteTable>("routes").FromFile(path);
await using (var admin = web.Build())
{
    admin.MapReloadHandles("/reload", o => o.Title = "package consumer");
    await admin.StartAsync();
    using var http = new HttpClient();
    var handles = await http.GetStringAsync(admin.Urls.First() + "/reload/api/handles");
    var page = await http.GetStringAsync(admin.Urls.First() + "/reload/");
    if (!handles.Contains("\"name\":\"routes\"", StringComparison.Ordinal) || !page.Contains("package consumer", StringComparison.Ordinal))
    {
        throw new InvalidOperationException($"unexpected admin answers: {handles}");
    }

    Console.WriteLine($"admin endpoints: /reload/api/handles lists routes, /reload/ serves the dashboard ({page.Length} characters)");
    await admin.StopAsync();
}

// The test kit is usable from its package too.
await using var manual = new ManualSource("""{"routes":["/x"]}""");
await host.StopAsync();
directory.Delete(recursive: true);
Console.WriteLine("package consumer: OK");

public sealed record RouteTable(string[] Routes);

internal sealed class Observer(Action<Snapshot<RouteTable>> next) : IObserver<Snapshot<RouteTable>>
{
    public void OnCompleted() { }
    public void OnError(Exception error) { }
    public void OnNext(Snapshot<RouteTable> value) => next(value);
}
