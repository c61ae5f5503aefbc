using System.Diagnostics;
using ReloadHandle.Internal;

namespace ReloadHandle;

/// <summary>Request-side tracing: records on a request's span which configuration versions served it.</summary>
public static class ActivityConfigExtensions
{
    /// <summary>
    /// Tags <paramref name="activity"/> with <c>config.&lt;handle&gt;.version</c> for <paramref name="snapshot"/> and
    /// links it to the reload span that applied the snapshot.
    /// </summary>
    /// <param name="activity">The request's span, typically <see cref="Activity.Current"/>; nothing happens when <see langword="null"/>.</param>
    /// <param name="snapshot">A snapshot the request used (read it once per request).</param>
    /// <returns><paramref name="activity"/>.</returns>
    /// <remarks>
    /// A link added after a span started is not seen by samplers, only by exporters (OpenTelemetry's rule for
    /// <see cref="Activity.AddLink"/>). The tag name is precomputed per handle; the version is boxed once.
    /// </remarks>
    public static Activity? TagConfigVersion(this Activity? activity, ISnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (activity is null || !activity.IsAllDataRequested)
        {
            return activity;
        }

        var tagName = snapshot is IVersionTagName named ? named.VersionTagName : $"config.{snapshot.HandleName}.version";
        activity.SetTag(tagName, snapshot.Version);
        if (snapshot.ReloadContext != default)
        {
            activity.AddLink(new ActivityLink(snapshot.ReloadContext));
        }

        return activity;
    }

    /// <summary>Tags <paramref name="activity"/> for every snapshot a request used; see <see cref="TagConfigVersion(Activity?, ISnapshot)"/>.</summary>
    /// <param name="activity">The request's span; nothing happens when <see langword="null"/>.</param>
    /// <param name="snapshots">The snapshots the request used.</param>
    /// <returns><paramref name="activity"/>.</returns>
    public static Activity? TagConfigVersions(this Activity? activity, params ReadOnlySpan<ISnapshot> snapshots)
    {
        foreach (var snapshot in snapshots)
        {
            activity.TagConfigVersion(snapshot);
        }

        return activity;
    }
}
