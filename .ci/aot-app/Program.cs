// Native AOT smoke app: a hosted handle on a file whose source settings come from configuration, decoded with
// source-generated JSON, read through the options bridge, followed with a change token. Exits 0 when every step
// behaved; prints what failed otherwise.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using AotApp;
using ReloadHandle;

var directory = Directory.CreateTempSubdirectory("reloadhandle-aot-");
var path = Path.Combine(directory.FullName, "routes.json");
await File.WriteAllTextAsync(path, """{"items":["/a"],"limit":10,"tier":"free"}""");

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = args });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Reload:Routes:File:Path"] = path,
    ["Reload:Routes:File:Debounce"] = "00:00:00.050",
});
builder.Services.AddReloadable<Routes>("routes")
    .FromFile(builder.Configuration.GetSection("Reload:Routes:File"))
    .UseJson(AppJson.Default.Routes)
    .Validate(r => r.Items.Length > 0, "at least one route is required")
    .WithRetry(new RetryOptions { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(2) })
    .BridgeToOptions();
builder.Services.AddHealthChecks().AddReloadHandleCheck<Routes>("routes");
using var host = builder.Build();
await host.StartAsync();

var handle = host.Services.GetRequiredService<IReloadable<Routes>>();
var monitor = host.Services.GetRequiredService<IOptionsMonitor<Routes>>();
Check(monitor.CurrentValue.Items.SequenceEqual(["/a"]) && monitor.CurrentValue.Tier == Tier.Free, "the first value through IOptionsMonitor");

var token = handle.GetChangeToken();
var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using (token.RegisterChangeCallback(_ => changed.TrySetResult(), null))
{
    await File.WriteAllTextAsync(path, """{"items":["/a","/b"],"limit":10,"tier":"paid"}""");
    await changed.Task.WaitAsync(TimeSpan.FromSeconds(30));
}

Check(handle.Current.Version == 2 && monitor.CurrentValue.Tier == Tier.Paid, "the change token fired for version 2");
await File.WriteAllTextAsync(path, """{"items":[],"limit":10}""");
for (var deadline = DateTime.UtcNow.AddSeconds(30); handle.Status.LastOutcome != ReloadOutcome.Rejected && DateTime.UtcNow < deadline;)
{
    await Task.Delay(20);
}

Check(handle.Current.Version == 2 && handle.Status.LastError == "at least one route is required", "an invalid file is rejected, version 2 keeps serving");

var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
Check(health.Entries["reload:routes"].Status == HealthStatus.Degraded, "the health check reports the rejected reload");
await host.StopAsync();
directory.Delete(recursive: true);
Console.WriteLine($"aot app: OK (v{handle.Current.Version}, {handle.Current.Value.Items.Length} routes)");
return 0;

static void Check(bool ok, string what)
{
    if (!ok)
    {
        Console.Error.WriteLine($"aot app: FAILED: {what}");
        Environment.Exit(1);
    }

    Console.WriteLine($"ok: {what}");
}
