using System.Text;
using ReloadHandle.Sources;

namespace ReloadHandle.Tests.TestUtils;

/// <summary>A route table: valid when it has at least one route and a positive limit.</summary>
public sealed record Routes(string[] Items, int Limit = 10)
{
    public static string Json(int limit, params string[] items) =>
        $$"""{"items":[{{string.Join(",", items.Select(i => $"\"{i}\""))}}],"limit":{{limit}}}""";
}

/// <summary>A value whose two fields must always agree: a torn read would show them apart.</summary>
public sealed record Pair(long Left, long Right);

/// <summary>Configuration with a secret member.</summary>
public sealed record Keys(string Name, [property: Secret] string ApiKey);

/// <summary>Configuration with a secret dictionary: its values are secret, its keys are names.</summary>
public sealed record Upstreams([property: Secret] Dictionary<string, string> KeysByUpstream);

/// <summary>A disposable configuration value that records how often it was disposed.</summary>
public sealed class Pool(int id) : IDisposable
{
    private int _disposals;

    public int Id { get; } = id;

    public int Disposals => Volatile.Read(ref _disposals);

    public void Dispose() => Interlocked.Increment(ref _disposals);
}

public static class Changes
{
    public static SourceChange Of(string json, string? revision = null, string? traceParent = null) =>
        new(Encoding.UTF8.GetBytes(json), revision, traceParent is null ? null : new Dictionary<string, string> { [SourceMetadataKeys.TraceParent] = traceParent });
}

public static class HandleNames
{
    private static int _next;

    /// <summary>A name no other test uses, so global listeners can filter on it while tests run in parallel.</summary>
    public static string Unique(string prefix = "h") => $"{prefix}-{Interlocked.Increment(ref _next)}-{Guid.NewGuid():N}"[..24];
}
