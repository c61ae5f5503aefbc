using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using ReloadHandle.Groups;
using ReloadHandle.Internal;
using ReloadHandle.Pipeline;
using ReloadHandle.Secrets;
using ReloadHandle.Sources;
using ReloadHandle.Startup;
using ReloadHandle.Telemetry;

namespace ReloadHandle;

/// <summary>
/// Holds the live configuration of one concern and replaces it while the process keeps serving: a candidate goes live
/// only after it validated, as a new immutable, versioned <see cref="Snapshot{T}"/>; every attempt is a span, a metric
/// point and a log line. Create one with <see cref="ReloadHandleBuilder{T}"/>.
/// </summary>
/// <typeparam name="T">The configuration type. Treat live values as immutable: every reader shares them.</typeparam>
/// <remarks>
/// <para><b>Thread safety.</b> Every member is thread-safe. Reads (<see cref="Current"/>, <see cref="TryGetCurrent"/>,
/// <see cref="Lease"/>) never block and never wait for writers. Writes (<see cref="ApplyAsync(T, CancellationToken)"/>,
/// <see cref="ApplyChangeAsync"/>, <see cref="RollbackAsync(long, CancellationToken)"/> and the source) are serialized.</para>
/// <para><b>Ownership.</b> The handle owns its source and its values: a replaced value that is
/// <see cref="IDisposable"/> or <see cref="IAsyncDisposable"/> is disposed exactly once, after its last lease ends.</para>
/// </remarks>
public sealed partial class ReloadHandle<T> : IReloadable<T>, IReloadHandle, IAsyncDisposable, IHandleGauges
{
    private readonly HandleSettings<T> _settings;
    private readonly ISource? _source;
    private readonly SourceDescription _sourceForTelemetry;
    private readonly ILogger _logger;
    private readonly StatusTracker _status;
    private readonly HandleEvents<T> _events;
    private readonly ReloadPipeline<T> _pipeline;
    private readonly StartupGate<T> _startup;
    private readonly SourceLoop? _loop;
    private readonly CancellationTokenSource _stopping = new();

    // What readers see: written only by the pipeline, under its write gate.
    private Snapshot<T>? _current;
    private Snapshot<T>[] _history = [];

    private bool _sourceDelivered;
    private Task? _loopTask;
    private int _disposed;

    internal ReloadHandle(HandleSettings<T> settings)
    {
        _settings = settings;
        Name = settings.Name;
        _logger = new GuardedLogger(settings.LoggerFactory.CreateLogger(ReloadTelemetry.ActivitySourceName));
        _source = settings.SourceFactory?.Invoke(new SourceContext(Name, settings.Time, settings.LoggerFactory, settings.Services));
        _sourceForTelemetry = _source?.Description ?? new SourceDescription("code", string.Empty);
        var sourceText = _sourceForTelemetry.ToString();
        _status = new StatusTracker(settings.Time, _source?.Description, () => Volatile.Read(ref _current) is not null);
        _events = new HandleEvents<T>(Name, _logger);
        _pipeline = new ReloadPipeline<T>(settings, this, _sourceForTelemetry, _status, _events, _logger);
        _startup = new StartupGate<T>(settings, sourceText, _pipeline, _events, _status, _logger);
        if (_source is not null)
        {
            _loop = new SourceLoop(_source, Name, settings.Retry, settings.Time, _logger, ScrubLive, _status.SourceReported, OnLoopFault, ApplyFromSourceAsync);
        }

        ReloadDiagnostics.Register(this);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Snapshot<T> Current => Volatile.Read(ref _current) ?? ThrowNoValue();

    /// <inheritdoc />
    public ReloadStatus Status => _status.Current;

    /// <inheritdoc />
    public IReadOnlyList<Snapshot<T>> History => Volatile.Read(ref _history);

    /// <inheritdoc />
    public SourceDescription? Source => _source?.Description;

    /// <inheritdoc />
    public IObservable<Snapshot<T>> Changes => _events.Changes;

    /// <inheritdoc />
    public IObservable<ReloadResult<T>> Attempts => _events.Attempts;

    string IHandleGauges.SourceKind => _sourceForTelemetry.Kind;

    long IHandleGauges.CurrentVersion => Volatile.Read(ref _current)?.Version ?? 0;

    double? IHandleGauges.SecondsSinceSuccess => _status.LastSuccessTimestamp is var last and not 0 ? _settings.Time.GetElapsedTime(last).TotalSeconds : null;

    int? IHandleGauges.SourceStateValue => (int?)_status.Source?.State;

    int IHandleGauges.HandleStateValue => (int)Status.State;

    (string? Id, string? Label) IHandleGauges.LiveIdentity => Volatile.Read(ref _current) is { } live ? (live.ConfigId, live.Label) : (null, null);

    /// <summary>The group this handle is a member of, if any.</summary>
    internal ReloadGroup? Group { get; private set; }

    /// <summary>This handle's position in <see cref="Group"/>.</summary>
    internal int GroupIndex { get; private set; }

    /// <summary>The live snapshot or null, for the write side (one volatile read).</summary>
    internal Snapshot<T>? CurrentOrNull => Volatile.Read(ref _current);

    /// <inheritdoc />
    public bool TryGetCurrent([NotNullWhen(true)] out Snapshot<T>? snapshot)
    {
        snapshot = Volatile.Read(ref _current);
        return snapshot is not null;
    }

    /// <inheritdoc />
    public SnapshotLease<T> Lease()
    {
        while (true)
        {
            var snapshot = Current;
            if (snapshot.TryEnter() is var stripe and >= 0)
            {
                return new SnapshotLease<T>(snapshot, stripe);
            }

            // Replaced between the read and the lease: the newer snapshot is already current — unless the handle closed.
            ObjectDisposedException.ThrowIf(ReferenceEquals(Volatile.Read(ref _current), snapshot), this);
        }
    }

    /// <inheritdoc />
    public Task<Snapshot<T>> WaitForFirstValueAsync(CancellationToken cancellationToken = default) =>
        _events.FirstValue.WaitAsync(cancellationToken);

    /// <inheritdoc />
    public Task<Snapshot<T>> WaitForVersionAsync(long version, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        return _events.WaitForVersionAsync(version, cancellationToken);
    }

    /// <summary>
    /// Starts watching the source and waits for the first valid value, up to the start-up timeout; then applies the
    /// start-up fallback. Calling it again returns the same start-up.
    /// </summary>
    /// <param name="cancellationToken">Stops this caller's wait (not the handle's start-up).</param>
    /// <returns>Completes when a value is live.</returns>
    /// <exception cref="ReloadStartupException">No valid value within the timeout and the fallback could not provide one.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _startup.StartAsync(_loop is null ? null : StartLoop, _stopping.Token, cancellationToken);
    }

    /// <summary>Validates <paramref name="value"/> and, if valid and different, makes it the live value (trigger <see cref="ReloadTrigger.Manual"/>).</summary>
    /// <param name="value">The candidate. If disposable, the handle takes ownership when it goes live.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>The outcome; never throws for an invalid candidate.</returns>
    public Task<ReloadResult<T>> ApplyAsync(T value, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _pipeline.RunAsync(Candidate<T>.ForValue(value, ReloadTrigger.Manual), cancellationToken);
    }

    /// <summary>Decodes, validates and applies a source change directly, as if the handle's source had produced it.</summary>
    /// <param name="change">The change; an absent change or a failure report is rejected.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>The outcome.</returns>
    public Task<ReloadResult<T>> ApplyChangeAsync(SourceChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var writers = TraceParents.TryGet(change, out var writer) ? [writer] : Candidate<T>.NoWriters;
        return _pipeline.RunAsync(Candidate<T>.ForChange(change, change.Trigger, writers, 1, _sourceForTelemetry.ToString()), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="change"/> through the steps a reload runs — size limit, decode, every validator, the
    /// prepare step — without applying it and without a span, a metric point, a log line or a status change: for
    /// writers (deploy pipelines) that must refuse what the readers would reject. A value it builds is disposed.
    /// </summary>
    /// <param name="change">The candidate payload.</param>
    /// <param name="cancellationToken">Cancels waiting for writers (validators see one candidate at a time).</param>
    /// <returns>Every error, secrets removed; empty when the change would go live or equals the current value.</returns>
    public Task<IReadOnlyList<string>> CheckAsync(SourceChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _pipeline.CheckAsync(change, cancellationToken);
    }

    /// <summary>
    /// Re-applies the value of an earlier version as a <em>new</em> version (versions never go back), validated again
    /// and traced with trigger <see cref="ReloadTrigger.Rollback"/>. It stays live until the source's next change.
    /// </summary>
    /// <param name="version">A version still in <see cref="History"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>The outcome; rejected when the version is no longer in history.</returns>
    public Task<ReloadResult<T>> RollbackAsync(long version, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _pipeline.RunAsync(Rollback.To(History, s => s.Version == version, $"version {version}", Name), cancellationToken);
    }

    /// <summary>
    /// Re-applies the newest snapshot in <see cref="History"/> whose content has config id <paramref name="configId"/>
    /// (or a content hash or a prefix of at least 8 hex digits of either), as <see cref="RollbackAsync(long, CancellationToken)"/> does:
    /// for an operator who found the id in a trace or in the fleet view.
    /// </summary>
    /// <param name="configId">The config id to go back to.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>The outcome; rejected when no snapshot in history has that content.</returns>
    public Task<ReloadResult<T>> RollbackAsync(string configId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configId);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _pipeline.RunAsync(Rollback.To(History, s => ConfigIdentity.Matches(s, configId), $"config id {configId}", Name), cancellationToken);
    }

    /// <summary>Stops the source, disposes it, completes the observables, and releases the current value once its leases end.</summary>
    /// <returns>Completes when the source has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loopTask is not null)
        {
            await _loopTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_source is not null)
        {
            try
            {
                await _source.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                Log.SourceDisposeFailed(_logger, _sourceForTelemetry.ToString(), Name, Scrub(exception));
            }
        }

        await _pipeline.CloseAsync().ConfigureAwait(false);
        _events.Complete();
        ReloadDiagnostics.Unregister(this);
    }

    /// <inheritdoc />
    public override string ToString() => $"ReloadHandle<{typeof(T).Name}> '{Name}' ({Status.State}, v{Volatile.Read(ref _current)?.Version ?? 0})";

    /// <summary>Joins <paramref name="group"/> (from its builder): the handle must be new, not started, not in a group.</summary>
    internal void JoinGroup(ReloadGroup group)
    {
        if (Group is not null || _startup.Started || Volatile.Read(ref _current) is not null || Volatile.Read(ref _disposed) != 0)
        {
            throw new InvalidOperationException($"Handle '{Name}' cannot join group '{group.Name}': a member must be new — not started, without a value, in no other group.");
        }

        GroupIndex = group.MemberPipelines.Length;
        Group = group;
        _pipeline.JoinGroup(group, GroupIndex);
        group.Join(_pipeline, new GroupMemberHandle(this, StartAsync, DisposeAsync));
    }

    /// <summary>Makes <paramref name="snapshot"/> the live one and the newest in history (the pipeline calls it under its write gate).</summary>
    internal void Publish(Snapshot<T> snapshot, int historySize)
    {
        Volatile.Write(ref _current, snapshot);
        var history = _history;
        var kept = new Snapshot<T>[Math.Min(history.Length + 1, historySize)];
        kept[0] = snapshot;
        Array.Copy(history, 0, kept, 1, kept.Length - 1);
        Volatile.Write(ref _history, kept);
    }

    [DoesNotReturn]
    private Snapshot<T> ThrowNoValue() =>
        throw new InvalidOperationException($"Handle '{Name}' has no value yet: await StartAsync or WaitForFirstValueAsync first, or use TryGetCurrent.");

    private void StartLoop()
    {
        // The watch loop starts a trace of its own: it must not inherit the caller's Activity.Current.
        using (ExecutionContext.SuppressFlow())
        {
            _loopTask = Task.Run(() => _loop!.RunAsync(_stopping.Token));
        }
    }

    private Task ApplyFromSourceAsync(CoalescedChange change, CancellationToken cancellationToken)
    {
        if (change.Latest.IsAbsent)
        {
            Log.SourceAbsent(_logger, _sourceForTelemetry.ToString(), Name, ScrubLive(change.Latest.AbsentReason!), CurrentOrNull?.Version ?? 0);
            return Task.CompletedTask;
        }

        var trigger = _sourceDelivered ? change.Latest.Trigger : ReloadTrigger.Initial;
        _sourceDelivered = true;
        return _pipeline.RunAsync(Candidate<T>.ForChange(change.Latest, trigger, change.Writers, change.Count, _sourceForTelemetry.ToString()), cancellationToken);
    }

    private string ScrubLive(string text) => ScrubContext.Over(CurrentValue()).Scrub(text);

    private void OnLoopFault(string reason, Exception fault)
    {
        var secrets = ScrubContext.Over(CurrentValue());
        var clean = secrets.Scrub(reason);
        Log.LoopFaulted(_logger, Name, _sourceForTelemetry.ToString(), clean, secrets.Scrub(fault)!);
        _status.LoopFaulted(clean);
    }

    private ScrubbedException Scrub(Exception exception) => ScrubContext.Over(CurrentValue()).Scrub(exception)!;

    private object? CurrentValue() => CurrentOrNull is { } snapshot ? snapshot.Value : null;
}
