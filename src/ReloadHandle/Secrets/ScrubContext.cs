namespace ReloadHandle.Secrets;

/// <summary>
/// The secrets one reload attempt must keep out of every output: those of the candidate (as decoded, and as prepared)
/// and those of the value serving. Built once per attempt and used for every error text, span event, log line and
/// exception the attempt produces, so no output masks against a different set. Collects lazily: an attempt without
/// an error never walks a value.
/// </summary>
internal sealed class ScrubContext
{
    /// <summary>A context with no value to take secrets from.</summary>
    public static readonly ScrubContext None = new([]);

    private readonly object?[] _roots;
    private string[]? _secrets;

    private ScrubContext(object?[] roots) => _roots = roots;

    /// <summary>A context over <paramref name="roots"/> (nulls are ignored).</summary>
    public static ScrubContext Over(params object?[] roots) => new(roots);

    /// <summary>Adds a value found later in the attempt (the prepared candidate); forgets what was collected.</summary>
    public ScrubContext With(object? root) => root is null ? this : new ScrubContext([.. _roots, root]);

    /// <summary><paramref name="text"/> with every secret masked.</summary>
    public string Scrub(string text)
    {
        if (string.IsNullOrEmpty(text) || _roots.Length == 0)
        {
            return text;
        }

        _secrets ??= SecretScrubber.SecretsOf(_roots);
        return SecretScrubber.Mask(text, _secrets);
    }

    /// <summary>A copy of <paramref name="exception"/> whose message and stack trace have every secret masked.</summary>
    public ScrubbedException? Scrub(Exception? exception) => exception switch
    {
        null => null,
        ScrubbedException scrubbed => scrubbed,
        _ => new ScrubbedException(exception.GetType().FullName ?? exception.GetType().Name, Scrub(exception.Message), Scrub(exception.ToString())),
    };
}
