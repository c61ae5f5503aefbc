using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ReloadHandle.Decoding;

namespace ReloadHandle.Tests.TestUtils;

/// <summary>A logging provider that throws from every call, as a broken sink would.</summary>
public sealed class ThrowingLoggerFactory : ILoggerFactory
{
    public int Calls => Volatile.Read(ref _calls);

    private int _calls;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(ThrowingLoggerFactory owner) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state)
            where TState : notnull => throw new InvalidOperationException("the log sink is broken");

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Interlocked.Increment(ref owner._calls);
            throw new InvalidOperationException("the log sink is broken");
        }
    }
}

/// <summary>A clock that throws from <see cref="GetTimestamp"/> while <see cref="Broken"/> is set: a fault in the reload loop's own code.</summary>
public sealed class BreakableClock : TimeProvider
{
    private int _broken;

    public bool Broken
    {
        get => Volatile.Read(ref _broken) != 0;
        set => Volatile.Write(ref _broken, value ? 1 : 0);
    }

    public override long GetTimestamp() => Broken ? throw new InvalidOperationException("the clock is broken") : System.GetTimestamp();
}

/// <summary>An activity listener whose callbacks throw for one handle's spans, as a buggy exporter's would (other tests' spans pass).</summary>
public sealed class ThrowingActivityListener : IDisposable
{
    private readonly ActivityListener _listener;

    public ThrowingActivityListener(string handleName)
    {
        void Throw(Activity activity)
        {
            if (activity.GetTagItem(ReloadTelemetry.Attributes.Handle) as string == handleName)
            {
                throw new InvalidOperationException("the exporter is broken");
            }
        }

        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ReloadTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = Throw,
            ActivityStopped = Throw,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>A decoder that reads anything as UTF-8 with replacement: it lets bytes no JSON decoder accepts go live, for the steps after the swap to meet them.</summary>
public sealed class LenientDecoder : IPayloadDecoder<Limits>
{
    public Limits? Decode(ReadOnlyMemory<byte> payload)
    {
        var text = System.Text.Encoding.UTF8.GetString(payload.Span);
        var max = System.Text.RegularExpressions.Regex.Match(text, "\"max\":(\\d+)");
        return new Limits(max.Success ? int.Parse(max.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 1, new Inner(0.1));
    }
}

/// <summary>The configuration: a limit and a nested ratio.</summary>
public sealed record Limits(int Max, Inner Inner)
{
    public static string Json(int max, double ratio = 0.1) => $$$"""{"max":{{{max}}},"inner":{"ratio":{{{ratio.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}}}""";
}

public sealed record Inner(double Ratio);
