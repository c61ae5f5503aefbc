using System.Text.Json;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using ReloadHandle.Sources.Etcd.Internal;

namespace ReloadHandle.Sources.Etcd;

/// <summary>
/// The fleet's view of one handle: every live instance's entry, and the drift from the latest revision — instances
/// still behind it, and instances that rejected it (NACK).
/// </summary>
public sealed class EtcdFleetView
{
    private EtcdFleetView(string handle, long latestRevision, IReadOnlyList<EtcdFleetEntry> instances)
    {
        Handle = handle;
        LatestRevision = latestRevision;
        Instances = instances;
        Rejected = [.. instances.Where(e => e.Status == EtcdFleetStatus.Nack && EtcdFleetEntry.Number(e.AttemptedRevision) >= latestRevision)];
        Behind = [.. instances.Where(e => !(EtcdFleetEntry.Number(e.SourceRevision) >= latestRevision) && !Rejected.Contains(e))];
    }

    /// <summary>The handle's name.</summary>
    public string Handle { get; }

    /// <summary>The revision instances are compared against.</summary>
    public long LatestRevision { get; }

    /// <summary>Every instance that reports (live leases only), ordered by instance id.</summary>
    public IReadOnlyList<EtcdFleetEntry> Instances { get; }

    /// <summary>Instances whose revision in effect is older than <see cref="LatestRevision"/> and that have not rejected it.</summary>
    public IReadOnlyList<EtcdFleetEntry> Behind { get; }

    /// <summary>Instances whose last attempt, at <see cref="LatestRevision"/> or later, was rejected or failed.</summary>
    public IReadOnlyList<EtcdFleetEntry> Rejected { get; }

    /// <summary><see langword="true"/> when at least one instance reports and every one runs <see cref="LatestRevision"/> or later.</summary>
    public bool IsConverged => Instances.Count > 0 && Behind.Count == 0 && Rejected.Count == 0;

    /// <summary>Reads every instance's entry for <paramref name="handleName"/>.</summary>
    /// <param name="client">The client.</param>
    /// <param name="handleName">The handle's name.</param>
    /// <param name="latestRevision">
    /// The revision to compare against, such as <see cref="EtcdWriteResult.Revision"/> of the deploy's write.
    /// <see langword="null"/>: the newest revision any instance has attempted or has in effect.
    /// </param>
    /// <param name="configure">The same status prefix as the reporters'.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The view.</returns>
    /// <exception cref="SourceException">etcd failed or did not answer.</exception>
    public static async Task<EtcdFleetView> ReadAsync(EtcdClient client, string handleName, long? latestRevision = null, Action<EtcdFleetOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(handleName);
        var options = new EtcdFleetOptions();
        configure?.Invoke(options);
        options.Validate();

        var prefix = System.Text.Encoding.UTF8.GetBytes(options.HandlePrefix(handleName));
        var range = await EtcdCall.RunAsync(
            client,
            $"Range of the fleet of '{handleName}'",
            t => client.GetAsync(new RangeRequest { Key = ByteString.CopyFrom(prefix), RangeEnd = ByteString.CopyFrom(EtcdKeys.RangeEnd(prefix)) }, EtcdCall.Headers(options.RequireLeader), null, t),
            options.RequestTimeout,
            options.TimeProvider,
            cancellationToken).ConfigureAwait(false);

        var entries = new List<EtcdFleetEntry>();
        foreach (var kv in range.Kvs)
        {
            try
            {
                if (JsonSerializer.Deserialize(kv.Value.Span, FleetJson.Default.EtcdFleetEntry) is { } entry)
                {
                    entries.Add(entry);
                }
            }
            catch (JsonException)
            {
                // Not an entry of ours; the view shows what it can read.
            }
        }

        var latest = latestRevision ?? entries
            .SelectMany(e => new[] { EtcdFleetEntry.Number(e.SourceRevision), EtcdFleetEntry.Number(e.AttemptedRevision) })
            .Max() ?? 0;
        return new EtcdFleetView(handleName, latest, [.. entries.OrderBy(e => e.Instance, StringComparer.Ordinal)]);
    }
}
