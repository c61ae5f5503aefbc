// QuickStart: a ReloadHandle<T> on a JSON file, with validation and logging.
//   dotnet run --project samples/QuickStart                  scripted demo in a temp directory, then exits
//   dotnet run --project samples/QuickStart -- --watch       keeps running: edit the file yourself, Ctrl+C stops
//   ... -- --config path/to/settings.json                    uses your file (created if missing)
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.Extensions.Logging;
using ReloadHandle;

var watch = args.Contains("--watch");
var configAt = Array.IndexOf(args, "--config");
var temporary = configAt < 0 ? Directory.CreateTempSubdirectory("reloadhandle-quickstart-") : null;
var path = temporary is null
    ? Path.GetFullPath(args.ElementAtOrDefault(configAt + 1) ?? throw new ArgumentException("--config needs a path"))
    : Path.Combine(temporary.FullName, "settings.json");
if (!File.Exists(path))
{
    await File.WriteAllTextAsync(path, """{ "greeting": "Hello", "maxConnections": 10 }""");
}

using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(console => console.SingleLine = true));
await using var settings = new ReloadHandleBuilder<Settings>("settings")
    .FromFile(path)
    .Validate(s => s.MaxConnections is > 0 and <= 1000, "maxConnections must be between 1 and 1000")
    .Validate(s => !string.IsNullOrWhiteSpace(s.Greeting), "greeting must not be empty")
    .WithLoggerFactory(loggerFactory)
    .Build();

await settings.StartAsync(); // waits for the first valid value
Print("started", settings.Current);

var ok = true;
if (watch)
{
    Console.WriteLine($"Watching {path}: edit it, save it, break it. Ctrl+C stops.");
    using var printer = settings.Attempts
        .Where(attempt => attempt.Trigger != ReloadTrigger.Initial)
        .Subscribe(attempt => Print(attempt.Outcome.ToString().ToLowerInvariant(), attempt.Current!, attempt.Errors));
    var stop = new TaskCompletionSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
    await stop.Task;
}
else
{
    ok = await EditAsync(
        "a valid edit: new version applied",
        () => File.WriteAllTextAsync(path, """{ "greeting": "Hi", "maxConnections": 20 }"""),
        attempt => attempt.IsApplied && attempt.Current!.Value.MaxConnections == 20)
      && await EditAsync(
        "an invalid edit: rejected, the last good value keeps serving",
        () => File.WriteAllTextAsync(path, """{ "greeting": "Hi", "maxConnections": 0 }"""),
        attempt => attempt.Outcome == ReloadOutcome.Rejected && attempt.Errors.Any(e => e.StartsWith("maxConnections", StringComparison.Ordinal)))
      && await EditAsync(
        "a rename-style save (write a temp file, rename it over): applied",
        async () =>
        {
            await File.WriteAllTextAsync(path + ".tmp", """{ "greeting": "Hey", "maxConnections": 30 }""");
            File.Move(path + ".tmp", path, overwrite: true);
        },
        attempt => attempt.IsApplied && attempt.Current!.Value.MaxConnections == 30);
}

var status = settings.Status;
Console.WriteLine($"final status: {status.State}, serving v{settings.Current.Version}, source {status.Source?.State}");
if (temporary is not null)
{
    await settings.DisposeAsync(); // stop watching before removing the demo's directory
    temporary.Delete(recursive: true);
}

return ok ? 0 : 1;

// Makes one edit and waits (10 s at most) for the handle's verdict on it.
async Task<bool> EditAsync(string title, Func<Task> edit, Func<ReloadResult<Settings>, bool> expected)
{
    Console.WriteLine($"{Environment.NewLine}== {title}");
    var verdict = settings.Attempts.Where(expected).FirstAsync().ToTask();
    await edit();
    try
    {
        var attempt = await verdict.WaitAsync(TimeSpan.FromSeconds(10));
        Print(attempt.Outcome.ToString().ToLowerInvariant(), attempt.Current!, attempt.Errors);
        Console.WriteLine($"   status: {settings.Status.State}{(settings.Status.LastError is { } error ? $" ({error})" : "")}");
        return true;
    }
    catch (TimeoutException)
    {
        Console.Error.WriteLine($"error: no such reload within 10 s; the handle is {settings.Status.State}: {settings.Status.LastError}");
        return false;
    }
}

static void Print(string what, Snapshot<Settings> serving, IReadOnlyList<string>? errors = null)
{
    var why = errors is { Count: > 0 } ? $" ({string.Join("; ", errors)})" : "";
    Console.WriteLine($"   {what}{why} -> serving v{serving.Version} (trigger {serving.Trigger}, revision {serving.SourceRevision?[..12]}...): " +
        $"greeting=\"{serving.Value.Greeting}\", maxConnections={serving.Value.MaxConnections}");
}

/// <summary>The configuration: read from JSON (camelCase), validated before it goes live.</summary>
internal sealed record Settings(string Greeting, int MaxConnections);
