using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using ReloadHandle.Sources;

namespace ReloadHandle.Testing;

/// <summary>
/// A source driven by your test: <see cref="Set(string, string?, IReadOnlyDictionary{string, string}?)"/> a payload,
/// <see cref="Publish"/> any <see cref="SourceChange"/>, <see cref="SetAbsent"/>, <see cref="ReportFailure"/> while
/// watching, or <see cref="Fail"/> the current enumeration. Thread-safe.
/// </summary>
/// <remarks>Each enumeration starts with the current state, as the <see cref="ISource"/> contract requires.</remarks>
/// <example>
/// <code>
/// var source = new ManualSource("{"max":1}");
/// await using var handle = new ReloadHandleBuilder&lt;Limits&gt;("limits").FromSource(source).Build();
/// await handle.StartAsync();
/// source.Set("{"max":2}", revision: "2");
/// await handle.WaitForVersionAsync(2);
/// </code>
/// </example>
public sealed class ManualSource : ISource
{
    private readonly object _gate = new();
    private readonly List<Channel<object>> _watchers = [];
    private SourceChange? _state;
    private int _disposed;

    /// <summary>Creates a source holding <paramref name="initialJson"/> (absent when <see langword="null"/>).</summary>
    /// <param name="initialJson">The initial payload as text.</param>
    /// <param name="location">The location shown in spans and logs.</param>
    public ManualSource(string? initialJson = null, string location = "memory")
    {
        Description = new SourceDescription("manual", location);
        _state = initialJson is null ? null : SourceChange.FromText(initialJson, "1");
    }

    /// <inheritdoc />
    public SourceDescription Description { get; }

    /// <summary>How many times <see cref="WatchAsync"/> has been called: 1 plus the number of restarts after failures.</summary>
    public int WatchCount { get; private set; }

    /// <summary>How many enumerations are running now.</summary>
    public int ActiveWatchers
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary><see langword="true"/> once <see cref="DisposeAsync"/> ran.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Publishes <paramref name="json"/> as the new state: every running enumeration yields it, and every new one starts with it.</summary>
    /// <param name="json">The payload as text (UTF-8).</param>
    /// <param name="revision">The revision to report.</param>
    /// <param name="metadata">Metadata such as a traceparent.</param>
    public void Set(string json, string? revision = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        Publish(new SourceChange(Encoding.UTF8.GetBytes(json), revision, metadata));

    /// <summary>Publishes <paramref name="change"/> (any payload, revision, metadata or trigger; bytes need not be valid text) as the new state.</summary>
    /// <param name="change">The change.</param>
    public void Publish(SourceChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            _state = change;
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(change);
            }
        }
    }

    /// <summary>
    /// Reports a failure to every running enumeration without ending it (<see cref="SourceChange.Failure"/>), as a
    /// source does when its store cannot be read for now; the state is kept, so a new enumeration does not see it.
    /// </summary>
    /// <param name="reason">What failed, as the source would say it.</param>
    public void ReportFailure(string reason)
    {
        var failure = SourceChange.Failure(reason);
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(failure);
            }
        }
    }

    /// <summary>Publishes "no configuration" (as a deleted file or key would).</summary>
    /// <param name="reason">Why, as the source would say it.</param>
    public void SetAbsent(string? reason = null) => Publish(SourceChange.Absent(reason: reason));

    /// <summary>Makes every running enumeration throw <paramref name="error"/>; the handle then retries with backoff.</summary>
    /// <param name="error">The failure.</param>
    public void Fail(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(error);
            }
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<SourceChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var channel = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            WatchCount++;
            channel.Writer.TryWrite(_state ?? SourceChange.Absent());
            _watchers.Add(channel);
        }

        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (item is Exception error)
                {
                    throw error;
                }

                yield return (SourceChange)item;
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }
        }

        return ValueTask.CompletedTask;
    }
}
