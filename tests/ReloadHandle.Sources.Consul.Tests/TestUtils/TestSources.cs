using ReloadHandle.Testing;
using ReloadHandle.Sources.Consul.Internal;
using ReloadHandle.Sources.Consul.Tests.InProcessConsul;

namespace ReloadHandle.Sources.Consul.Tests.TestUtils;

/// <summary>Creates sources through the public builder extension, with a short rate-limit interval unless a test sets one.</summary>
internal static class TestSources
{
    private static int _next;

    /// <summary>A key no other test uses.</summary>
    public static string UniqueKey(string name) => $"test/{name}-{Interlocked.Increment(ref _next)}";

    public static ConsulSource Create(ConsulDouble consul, string key, Action<ConsulSourceOptions>? configure = null) =>
        (ConsulSource)new CapturingBuilder()
            .FromConsul(consul.Address, key, o =>
            {
                o.MinQueryInterval = TimeSpan.FromMilliseconds(20);
                configure?.Invoke(o);
            })
            .CreateSource();

    public static SourceRecorder Record(ConsulDouble consul, string key, Action<ConsulSourceOptions>? configure = null) =>
        new(Create(consul, key, configure));
}
