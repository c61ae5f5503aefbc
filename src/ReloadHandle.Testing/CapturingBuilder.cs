using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReloadHandle.Sources;

namespace ReloadHandle.Testing;

/// <summary>
/// Catches the source factory a source package's extension method sets (<c>.FromFile(...)</c>, <c>.FromEtcd(...)</c>):
/// on its own, so a test can create that source and drive it directly, with the clock and logging a handle would give
/// it; or in front of a real builder, so a test can reach the sources the handles it builds were given.
/// </summary>
/// <example>
/// <code>
/// // the source alone
/// await using var source = new CapturingBuilder("routes", fakeClock).FromFile(path).CreateSource();
/// await using var probe = new SourceProbe(source);
///
/// // the source a handle got
/// var builder = new ReloadHandleBuilder&lt;Routes&gt;("routes");
/// var capture = new CapturingBuilder(builder);
/// capture.FromFile(path);
/// await using var handle = builder.Build();
/// var itsSource = capture.Created[0];
/// </code>
/// </example>
public sealed class CapturingBuilder : IReloadHandleBuilder
{
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IReloadHandleBuilder? _inner;
    private readonly List<ISource> _created = [];
    private Func<SourceContext, ISource>? _factory;

    /// <summary>Creates a builder for a handle named <paramref name="name"/>.</summary>
    /// <param name="name">The handle name the source is told.</param>
    /// <param name="timeProvider">The clock the source is given; the system clock unless set.</param>
    /// <param name="loggerFactory">The logging the source is given; none unless set.</param>
    public CapturingBuilder(string name = "test", TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _time = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>Stands in front of <paramref name="inner"/>: the source factory set here becomes its factory, and every source it creates is kept in <see cref="Created"/>.</summary>
    /// <param name="inner">The real builder.</param>
    public CapturingBuilder(IReloadHandleBuilder inner)
        : this(inner?.Name ?? throw new ArgumentNullException(nameof(inner)))
    {
        _inner = inner;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Every source created so far, by <see cref="CreateSource"/> or by the real builder's handles, oldest first.</summary>
    public IReadOnlyList<ISource> Created
    {
        get
        {
            lock (_created)
            {
                return [.. _created];
            }
        }
    }

    /// <inheritdoc />
    public IReloadHandleBuilder FromSource(Func<SourceContext, ISource> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (_factory is not null)
        {
            throw new InvalidOperationException($"Handle '{Name}' already has a source; a handle has one source.");
        }

        _factory = context => Keep(factory(context));
        _inner?.FromSource(_factory);
        return this;
    }

    /// <summary>Creates a new source from the factory that was set; the caller owns it and disposes it.</summary>
    /// <returns>The source.</returns>
    /// <exception cref="InvalidOperationException">No source was set.</exception>
    public ISource CreateSource() =>
        (_factory ?? throw new InvalidOperationException($"No source was set on '{Name}'."))(new SourceContext(Name, _time, _loggerFactory));

    private ISource Keep(ISource source)
    {
        lock (_created)
        {
            _created.Add(source);
        }

        return source;
    }
}
