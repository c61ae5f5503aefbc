using System.Globalization;

namespace ReloadHandle.AspNetCore.Api;

/// <summary>Parses the versions and config ids callers send: bounded, invariant, and never an exception.</summary>
internal static class VersionInput
{
    private const int MaxVersionDigits = 19;

    /// <summary>A version: digits only, 1 to <see cref="long.MaxValue"/>.</summary>
    public static bool TryParseVersion(string? text, out long version)
    {
        version = 0;
        return text is { Length: > 0 and <= MaxVersionDigits }
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version)
            && version > 0;
    }

    /// <summary>A config id or content hash, or a prefix of at least 8 hex digits of one (what <see cref="IReloadHandle.RollbackAsync(string, CancellationToken)"/> accepts).</summary>
    public static bool IsConfigId(string? text) =>
        text is { Length: >= 8 and <= 64 } && text.All(char.IsAsciiHexDigit);

    /// <summary>The snapshot of <paramref name="version"/> in the handle's history, or null.</summary>
    public static ISnapshot? FindVersion(IReloadHandle handle, long version)
    {
        foreach (var snapshot in handle.History)
        {
            if (snapshot.Version == version)
            {
                return snapshot;
            }
        }

        return null;
    }

    /// <summary>The newest snapshot in history whose config id or content hash starts with <paramref name="configId"/>, or null.</summary>
    public static ISnapshot? FindConfigId(IReloadHandle handle, string configId)
    {
        var id = configId.ToLowerInvariant();
        foreach (var snapshot in handle.History)
        {
            if ((snapshot.ContentHash ?? string.Empty).StartsWith(id, StringComparison.Ordinal) || (snapshot.ConfigId ?? string.Empty).StartsWith(id, StringComparison.Ordinal))
            {
                return snapshot;
            }
        }

        return null;
    }
}
