namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>The key or folder a source watches (or a writer writes), with the paths and names derived from it.</summary>
internal sealed record ConsulTarget
{
    private const string TraceName = ".traceparent";

    public ConsulTarget(string key, bool isPrefix)
    {
        Check(key, nameof(key));

        // `?recurse` is a plain string-prefix match: `app` would also match `app-old`. A folder always ends in '/'.
        Key = isPrefix && !key.EndsWith('/') ? key + "/" : key;
        IsPrefix = isPrefix;
        TraceKey = TraceKeyOf(Key);
        Path = PathOf(Key);
    }

    /// <summary>The key, or the folder with its trailing slash.</summary>
    public string Key { get; }

    public bool IsPrefix { get; }

    /// <summary>
    /// Where a writer stores the <c>traceparent</c> of a write to this target: <c>&lt;key&gt;/.traceparent</c> (no doubled
    /// slash), as the etcd source does. For a folder it lies inside it, so one recursive read returns both.
    /// </summary>
    public string TraceKey { get; }

    /// <summary>The request path of the key, escaped: <c>v1/kv/app/routes</c>.</summary>
    public string Path { get; }

    /// <summary>The request path of <see cref="TraceKey"/>.</summary>
    public string TracePath => PathOf(TraceKey);

    /// <summary>Throws when <paramref name="key"/> cannot be a Consul key.</summary>
    public static void Check(string key, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(key, parameter);
        if (key[0] == '/')
        {
            throw new ArgumentException($"The Consul key '{key}' must not start with '/': keys are relative (\"app/config\", not \"/app/config\").", parameter);
        }
    }

    public static string PathOf(string key) =>
        "v1/kv/" + string.Join('/', key.Split('/').Select(Uri.EscapeDataString));

    public static string TraceKeyOf(string key) => key.EndsWith('/') ? key + TraceName : key + "/" + TraceName;

    /// <summary>
    /// The name of <paramref name="key"/> inside the folder when it is a configuration entry; <see langword="null"/> for
    /// the folder itself, folder keys (ending in '/', as the Consul UI creates them) and <c>.traceparent</c> keys.
    /// </summary>
    public string? EntryName(string key)
    {
        if (!key.StartsWith(Key, StringComparison.Ordinal) || key.Length == Key.Length || key.EndsWith('/'))
        {
            return null;
        }

        var name = key[Key.Length..];
        return name == TraceName || name.EndsWith("/" + TraceName, StringComparison.Ordinal) ? null : name;
    }

    public override string ToString() => IsPrefix ? Key + "?recurse" : Key;
}
