using System.Diagnostics;
using ReloadHandle.Internal;

namespace ReloadHandle;

/// <summary>Request-side tracing: records on a request's span which configuration served it.</summary>
public static class ActivityConfigExtensions
{
    /// <summary>
    /// Tags <paramref name="activity"/> with <c>config.&lt;handle&gt;.version</c>, <c>config.&lt;handle&gt;.id</c> and
    /// (when there is one) <c>config.&lt;handle&gt;.label</c> for <paramref name="snapshot"/>, and links it to the
    /// reload span that applied the snapshot. The id and the label are what an operator searches for across a fleet
    /// and across restarts; the version orders changes inside one process.
    /// </summary>
    /// <param name="activity">The request's span, typically <see cref="Activity.Current"/>; nothing happens when <see langword="null"/>.</param>
    /// <param name="snapshot">A snapshot the request used (read it once per request).</param>
    /// <returns><paramref name="activity"/>.</returns>
    /// <remarks>
    /// A link added after a span started is not seen by samplers, only by exporters (OpenTelemetry's rule for
    /// <see cref="Activity.AddLink"/>). Tag names are built once per handle and the version is boxed once per
    /// snapshot, so tagging allocates only the span's own tag and link nodes.
    /// </remarks>
    public static Activity? TagConfigVersion(this Activity? activity, ISnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (activity is null || !activity.IsAllDataRequested)
        {
            return activity;
        }

        if (snapshot is ITaggableSnapshot tagged)
        {
            activity.SetTag(tagged.TagNames.Version, tagged.BoxedVersion);
            Tag(activity, tagged.TagNames.Id, tagged.TagNames.Label, snapshot);
        }
        else
        {
            activity.SetTag($"config.{snapshot.HandleName}.version", snapshot.Version);
            Tag(activity, $"config.{snapshot.HandleName}.id", $"config.{snapshot.HandleName}.label", snapshot);
        }

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

    private static void Tag(Activity activity, string idTag, string labelTag, ISnapshot snapshot)
    {
        if (snapshot.ConfigId is { } id)
        {
            activity.SetTag(idTag, id);
        }

        if (snapshot.Label is { } label)
        {
            activity.SetTag(labelTag, label);
        }
    }
}
