using ReloadHandle.Sources;

namespace ReloadHandle.AspNetCore.Json;

/// <summary>A handle as the API shows it: state, live snapshot, source and last error (secrets already removed by the handle).</summary>
internal sealed record HandleView(
    string Name,
    string Type,
    HandleState State,
    DateTimeOffset Since,
    string? LastError,
    DateTimeOffset? LastAttemptAt,
    ReloadOutcome? LastOutcome,
    DateTimeOffset? LastSuccessAt,
    string? LastAttemptRevision,
    SourceView? Source,
    SnapshotView? Current,
    int HistoryCount)
{
    /// <summary>For a member of a reload group: the candidate waiting for a partner's change, and until when.</summary>
    public string? Pending { get; init; }

    /// <summary>Every snapshot in history, newest first; only on a single handle's view.</summary>
    public IReadOnlyList<SnapshotView>? History { get; init; }

    public static HandleView Of(IReloadHandle handle, bool withHistory = false)
    {
        var status = handle.Status;
        var current = handle.Current;
        var history = handle.History;
        return new HandleView(
            handle.Name,
            handle.ValueType.Name,
            status.State,
            status.Since,
            status.LastError,
            status.LastAttemptAt,
            status.LastOutcome,
            status.LastSuccessAt,
            status.LastAttemptRevision,
            SourceView.Of(handle.Source, status.Source),
            current is null ? null : SnapshotView.Of(handle, current, current),
            history.Count)
        {
            Pending = status.Pending,
            History = withHistory ? [.. history.Select(s => SnapshotView.Of(handle, s, current))] : null,
        };
    }
}

/// <summary>Where a handle reads from and how that goes.</summary>
internal sealed record SourceView(string Kind, string Location, SourceState State, DateTimeOffset? Since, string? LastError, int ConsecutiveFailures)
{
    public static SourceView? Of(SourceDescription? description, SourceStatus? status) =>
        (status?.Description ?? description) is { } source
            ? new SourceView(source.Kind, source.Location, status?.State ?? SourceState.Connecting, status?.Since, status?.LastError, status?.ConsecutiveFailures ?? 0)
            : null;
}

/// <summary>A snapshot's facts, never its value, with the leases that still hold it.</summary>
internal sealed record SnapshotView(
    long Version,
    long PreviousVersion,
    string? ConfigId,
    string? Label,
    string? Publisher,
    string? SourceRevision,
    DateTimeOffset AppliedAt,
    ReloadTrigger Trigger,
    int OpenLeases,
    bool Live)
{
    /// <summary>Replaced but still leased: requests that began on it have not finished.</summary>
    public bool Draining => !Live && OpenLeases > 0;

    public static SnapshotView Of(IReloadHandle handle, ISnapshot snapshot, ISnapshot? live) => new(
        snapshot.Version,
        snapshot.PreviousVersion,
        snapshot.ConfigId,
        snapshot.Label,
        snapshot.Publisher,
        snapshot.SourceRevision,
        snapshot.AppliedAt,
        snapshot.Trigger,
        handle.OpenLeases(snapshot),
        ReferenceEquals(snapshot, live) || (live is not null && snapshot.Version == live.Version));
}
