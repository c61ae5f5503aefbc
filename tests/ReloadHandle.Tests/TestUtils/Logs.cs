using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ReloadHandle.Tests.TestUtils;

/// <summary>A logger factory whose lines the test can read.</summary>
public sealed class Logs : IDisposable
{
    public Logs()
    {
        Collector = new FakeLogCollector();
        Factory = new LoggerFactory([new FakeLoggerProvider(Collector)]);
    }

    public FakeLogCollector Collector { get; }

    public ILoggerFactory Factory { get; }

    public IReadOnlyList<FakeLogRecord> Records => Collector.GetSnapshot();

    public void Dispose() => Factory.Dispose();
}
