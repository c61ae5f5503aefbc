namespace LlmGateway;

/// <summary>A hold on a fake upstream's streams (<see cref="FakeUpstream.HoldStreams"/>): released once, by <see cref="Release"/> or disposal.</summary>
internal sealed class StreamHold : IDisposable
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a stream has sent its first word and waits.</summary>
    public Task Reached => _reached.Task;

    public void Release() => _released.TrySetResult();

    public void Dispose() => Release();

    internal Task WaitAsync(CancellationToken cancellationToken)
    {
        _reached.TrySetResult();
        return _released.Task.WaitAsync(cancellationToken);
    }
}
