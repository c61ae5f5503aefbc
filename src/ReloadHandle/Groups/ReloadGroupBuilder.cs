using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReloadHandle.Internal;
using ReloadHandle.Telemetry;

namespace ReloadHandle.Groups;

/// <summary>
/// Builds a <see cref="ReloadGroup"/>: its members (handles built but not started), its cross-handle rules and how
/// long a candidate may wait for a partner. Not thread-safe.
/// </summary>
/// <example>
/// <code>
/// await using var group = new ReloadGroupBuilder("llm")
///     .Add(models)
///     .Add(keys)
///     .Validate((g, errors) =&gt;
///     {
///         foreach (var route in g.Get(models).Routes)
///             if (!g.Get(keys).Upstreams.ContainsKey(route.Upstream)) errors.Add($"route {route.Name}: no key for upstream {route.Upstream}");
///     })
///     .WithPendingWindow(TimeSpan.FromSeconds(10))
///     .Build();
/// await group.StartAsync();
/// var config = group.Current;           // one volatile read
/// var routes = config.Get(models).Value; // and the keys of the same group version: config.Get(keys).Value
/// </code>
/// </example>
public sealed class ReloadGroupBuilder
{
    /// <summary>How long a pending candidate waits for a partner unless set.</summary>
    public static readonly TimeSpan DefaultPendingWindow = TimeSpan.FromSeconds(30);

    private readonly List<Action<ReloadGroup>> _joins = [];
    private readonly List<GroupRule> _rules = [];
    private readonly HashSet<object> _members = new(ReferenceEqualityComparer.Instance);
    private TimeSpan _window = DefaultPendingWindow;
    private int _historySize = ReloadHandleBuilder<object>.DefaultHistorySize;
    private TimeProvider _time = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;

    /// <summary>Creates a builder for a group named <paramref name="name"/>.</summary>
    /// <param name="name">The group's name: short and stable (it tags spans and logs).</param>
    public ReloadGroupBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The group's name.</summary>
    public string Name { get; }

    /// <summary>Adds <paramref name="member"/>: built, not started, not in another group. The group owns it from now on.</summary>
    /// <typeparam name="T">The member's configuration type.</typeparam>
    /// <param name="member">The handle.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The handle was added already.</exception>
    public ReloadGroupBuilder Add<T>(ReloadHandle<T> member)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (!_members.Add(member))
        {
            throw new ArgumentException($"Handle '{member.Name}' is already a member of group '{Name}'.", nameof(member));
        }

        _joins.Add(group => member.JoinGroup(group));
        return this;
    }

    /// <summary>Adds a cross-handle rule that reports any number of errors; it sees every member's proposed value.</summary>
    /// <param name="rule">Adds one message per problem (no secret values).</param>
    /// <param name="description">Names the rule when it throws; the delegate's source text unless given.</param>
    /// <returns>This builder.</returns>
    public ReloadGroupBuilder Validate(Action<GroupValues, ICollection<string>> rule, [CallerArgumentExpression(nameof(rule))] string? description = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        _rules.Add(new GroupRule(rule, Describe(description)));
        return this;
    }

    /// <summary>Adds a cross-handle rule: the proposed combination is refused with <paramref name="message"/> when <paramref name="predicate"/> is false.</summary>
    /// <param name="predicate">The rule.</param>
    /// <param name="message">The error (no secret values).</param>
    /// <returns>This builder.</returns>
    public ReloadGroupBuilder Validate(Func<GroupValues, bool> predicate, string message)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        _rules.Add(new GroupRule((values, errors) => { if (!predicate(values)) { errors.Add(message); } }, message));
        return this;
    }

    /// <summary>How long a candidate that breaks a rule waits for a partner's change before it is rejected.</summary>
    /// <param name="window">Positive; <see cref="DefaultPendingWindow"/> unless set.</param>
    /// <returns>This builder.</returns>
    public ReloadGroupBuilder WithPendingWindow(TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _window = window;
        return this;
    }

    /// <summary>Keeps the last <paramref name="size"/> group states for <see cref="ReloadGroup.History"/> and rollback.</summary>
    /// <param name="size">At least 1.</param>
    /// <returns>This builder.</returns>
    public ReloadGroupBuilder WithHistorySize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _historySize = size;
        return this;
    }

    /// <summary>The clock of the pending window and the group's timestamps.</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>This builder.</returns>
    public ReloadGroupBuilder WithTimeProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        return this;
    }

    /// <summary>Logs group changes through <paramref name="loggerFactory"/>.</summary>
    /// <param name="loggerFactory">The factory.</param>
    /// <returns>This builder.</returns>
    public ReloadGroupBuilder WithLoggerFactory(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _loggerFactory = loggerFactory;
        return this;
    }

    /// <summary>Builds the group and joins its members to it.</summary>
    /// <returns>The group; start it, and dispose it (it disposes its members).</returns>
    /// <exception cref="InvalidOperationException">Fewer than two members, or a member was started or is in another group.</exception>
    public ReloadGroup Build()
    {
        if (_joins.Count < 2)
        {
            throw new InvalidOperationException($"Group '{Name}' needs at least two members (it has {_joins.Count}).");
        }

        var group = new ReloadGroup(Name, [.. _rules], _window, _historySize, _time, new GuardedLogger(_loggerFactory.CreateLogger(ReloadTelemetry.ActivitySourceName)));
        foreach (var join in _joins)
        {
            join(group);
        }

        return group;
    }

    private static string Describe(string? description) =>
        string.IsNullOrWhiteSpace(description) ? "rule" : description.Length <= 80 ? description.ReplaceLineEndings(" ") : string.Concat(description.ReplaceLineEndings(" ").AsSpan(0, 79), "…");
}
