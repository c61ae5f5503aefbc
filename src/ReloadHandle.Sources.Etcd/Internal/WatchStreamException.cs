namespace ReloadHandle.Sources.Etcd.Internal;

/// <summary>
/// What ended a shared watch stream, in words that follow "etcd at …" (<c>did not answer a progress request within
/// 5 s</c>): each source on the stream turns it into its own message, naming the endpoints and its key.
/// </summary>
internal sealed class WatchStreamException : Exception
{
    public WatchStreamException()
    {
    }

    public WatchStreamException(string reason)
        : base(reason)
    {
    }

    public WatchStreamException(string reason, Exception? innerException)
        : base(reason, innerException)
    {
    }

    /// <summary>etcd refused a watch on the stream: its auth token is no longer valid, or the user may not watch the key.</summary>
    public bool Refused { get; init; }
}
