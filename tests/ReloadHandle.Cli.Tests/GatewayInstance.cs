using System.Text.Json;
using System.Text.RegularExpressions;

namespace ReloadHandle.Cli.Tests;

/// <summary>
/// One ApiGateway process (<c>dotnet ApiGateway.dll</c>) on 127.0.0.1:0 with its routes in etcd, reporting as
/// <see cref="Instance"/>, and writing its spans to a file of its own per start.
/// </summary>
internal sealed partial class GatewayInstance : IAsyncDisposable
{
    public const string ApiKey = "k-0123456789abcdef";
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(90);
    private readonly string[] _args;
    private ChildProcess? _process;
    private int _starts;

    private GatewayInstance(string instance, string directory, string[] args)
    {
        Instance = instance;
        Directory = directory;
        _args = args;
    }

    public string Instance { get; }

    public string Directory { get; }

    public Uri Url { get; private set; } = null!;

    /// <summary>The span file of the current start.</summary>
    public string SpanFile => Path.Combine(Directory, $"spans-{Instance}-{_starts}.jsonl");

    public string Output => _process?.Everything() ?? string.Empty;

    /// <summary>Starts an instance; <paramref name="maxRoutes"/> gives it a stricter rule than the others.</summary>
    public static GatewayInstance Create(string instance, string configDirectory, string etcd, string key, int? maxRoutes = null) =>
        new(instance, configDirectory,
        [
            "--config", configDirectory, "--urls", "http://127.0.0.1:0",
            "--routes-etcd", etcd, "--routes-key", key, "--instance", instance,
            .. maxRoutes is { } max ? new[] { "--max-routes", max.ToString(System.Globalization.CultureInfo.InvariantCulture) } : [],
        ]);

    /// <summary>Starts the process and waits (bounded) until Kestrel says where it listens.</summary>
    public async Task StartAsync()
    {
        _starts++;
        _process = ChildProcess.Start(Programs.ApiGateway, [.. _args, "--span-file", SpanFile]);
        var listening = await _process.WaitForLineAsync(ListeningLine(), StartBound);
        Url = new Uri(listening.Groups["url"].Value);
    }

    /// <summary>SIGKILLs the process (no clean shutdown).</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            await process.DisposeAsync();
        }
    }

    /// <summary>Every span written to the current span file so far (a line being written is skipped).</summary>
    public async Task<IReadOnlyList<RecordedSpan>> SpansAsync()
    {
        if (!File.Exists(SpanFile))
        {
            return [];
        }

        await using var stream = new FileStream(SpanFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var spans = new List<RecordedSpan>();
        while (await reader.ReadLineAsync() is { } line)
        {
            try
            {
                spans.Add(JsonSerializer.Deserialize<RecordedSpan>(line, JsonSerializerOptions.Web)!);
            }
            catch (JsonException)
            {
                // the last line, still being written
            }
        }

        return spans;
    }

    public ValueTask DisposeAsync() => new(KillAsync());

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}

/// <summary>A span as the sample's <c>--span-file</c> writes it.</summary>
internal sealed record RecordedSpan(string Name, string Source, string TraceId, string SpanId, string? ParentSpanId, string Status, Dictionary<string, string?> Tags)
{
    public string? Tag(string name) => Tags.GetValueOrDefault(name);
}
