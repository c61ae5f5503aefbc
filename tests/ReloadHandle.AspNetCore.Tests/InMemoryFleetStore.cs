using System.Collections.Concurrent;
using ReloadHandle.Fleet;

namespace ReloadHandle.AspNetCore.Tests;

/// <summary>A fleet store in memory, shared by the test's "instances" (the real reporter of this app and entries the test writes for others).</summary>
internal sealed class InMemoryFleetStore : IFleetStore
{
    private readonly ConcurrentDictionary<(string Handle, string Instance), FleetEntry> _entries = new();

    public bool Broken { get; set; }

    public Task PublishAsync(FleetEntry entry, CancellationToken cancellationToken)
    {
        _entries[(entry.Handle, entry.Instance)] = entry;
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string handleName, string instance, CancellationToken cancellationToken)
    {
        _entries.TryRemove((handleName, instance), out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<FleetEntry>> ReadAsync(string handleName, CancellationToken cancellationToken) => Broken
        ? throw new InvalidOperationException("store down at etcd://10.0.0.1 with password hunter2")
        : Task.FromResult<IReadOnlyList<FleetEntry>>([.. _entries.Values.Where(e => e.Handle == handleName)]);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
