namespace ReloadHandle.Groups;

/// <summary>A member as its group starts and disposes it, whatever its configuration type.</summary>
internal sealed class GroupMemberHandle(IReloadHandle handle, Func<CancellationToken, Task> start, Func<ValueTask> dispose)
{
    public IReloadHandle Handle { get; } = handle;

    public Task StartAsync(CancellationToken cancellationToken) => start(cancellationToken);

    public ValueTask DisposeAsync() => dispose();
}
