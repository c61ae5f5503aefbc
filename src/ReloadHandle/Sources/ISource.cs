namespace ReloadHandle.Sources;

/// <summary>
/// Where a handle's configuration comes from: a file, an HTTP endpoint, an etcd key, a Consul key, or your own store.
/// This is the extension point of the library; a custom source is usually about thirty lines.
/// </summary>
/// <remarks>
/// <para>
/// <b>Contract.</b> <see cref="WatchAsync"/> yields the source's <em>current</em> state first (its payload, or
/// <see cref="SourceChange.Absent"/>), then one <see cref="SourceChange"/> per change, until it is cancelled.
/// The handle hashes every payload, so yielding the same bytes again costs nothing and makes no new version.
/// </para>
/// <para>
/// <b>Failures.</b> To report a failure, throw. The handle records it as source status (never as an exception to
/// readers), waits with exponential backoff and full jitter, then calls <see cref="WatchAsync"/> again. Because every
/// enumeration starts with the current state, nothing is lost across a failure. Throw <see cref="SourceException"/>
/// to pass a server's <c>Retry-After</c>.
/// </para>
/// <para>
/// <b>Threading.</b> The handle enumerates at most one <see cref="WatchAsync"/> at a time, and calls
/// <see cref="IAsyncDisposable.DisposeAsync"/> once, after the enumeration ended.
/// </para>
/// </remarks>
public interface ISource : IAsyncDisposable
{
    /// <summary>What the source is and where it reads from, for spans, logs and status. Must hold no credentials.</summary>
    SourceDescription Description { get; }

    /// <summary>Yields the current state, then each change, until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="cancellationToken">Cancelled when the handle stops; the enumeration must then end promptly.</param>
    /// <returns>The stream of states. Throw from it to report a failure.</returns>
    IAsyncEnumerable<SourceChange> WatchAsync(CancellationToken cancellationToken);
}
