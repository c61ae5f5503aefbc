using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ReloadHandle;
using ReloadHandle.Sources;

namespace ApiGateway;

/// <summary>
/// The certificate handle's source: a directory holding a certificate chain and its private key as two PEM files
/// (or one PEM with both), read together into one payload — the chain's PEM followed by the key's — so both files
/// go live in one version and a half-renewed pair is one candidate that fails validation, never half a version.
/// </summary>
/// <remarks>
/// The file names are what the usual issuers write: certbot's <c>live/&lt;domain&gt;/fullchain.pem</c> and
/// <c>privkey.pem</c> (symbolic links it swaps on renewal), a Kubernetes TLS secret's <c>tls.crt</c> and <c>tls.key</c>
/// (cert-manager; the kubelet swaps a <c>..data</c> link), or plain <c>cert.pem</c> and <c>key.pem</c>. The directory
/// is watched, not the files, so rename-into-place writes and link swaps are seen; after the last event of a burst it
/// waits <see cref="Debounce"/> before reading, which lets a renewal that replaces both files settle first.
/// </remarks>
internal sealed class CertificateDirectorySource(string directory) : ISource
{
    /// <summary>The certificate chain's file names, leaf first in the file; the first that exists is read.</summary>
    public static readonly string[] CertificateFiles = ["fullchain.pem", "tls.crt", "cert.pem"];

    /// <summary>The private key's file names; with none, the key is looked for after the chain in the certificate file.</summary>
    public static readonly string[] KeyFiles = ["privkey.pem", "tls.key", "key.pem"];

    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Rescan = TimeSpan.FromSeconds(30); // a safety net for events the kernel never delivers

    public SourceDescription Description { get; } = new("tls-dir", directory);

    public async IAsyncEnumerable<SourceChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var events = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var watcher = new FileSystemWatcher(directory) // throws when the directory is gone: the handle retries with backoff
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        watcher.Changed += (_, _) => events.Writer.TryWrite(true);
        watcher.Created += (_, _) => events.Writer.TryWrite(true);
        watcher.Deleted += (_, _) => events.Writer.TryWrite(true);
        watcher.Renamed += (_, _) => events.Writer.TryWrite(true);
        watcher.Error += (_, _) => events.Writer.TryWrite(true); // an overflow lost events: read anyway
        watcher.EnableRaisingEvents = true;

        string? delivered = null; // the content hash, or the reason, handed on last
        var trigger = ReloadTrigger.Poll;
        while (true)
        {
            var change = Read(trigger);
            var state = change.ContentHash ?? change.AbsentReason ?? change.FailureReason;
            if (state != delivered)
            {
                delivered = state;
                yield return change;
            }

            trigger = await NextAsync(events.Reader, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the watcher lives and dies with each enumeration

    /// <summary>Waits for an event (or the rescan), then until the directory has been quiet for <see cref="Debounce"/>.</summary>
    private static async Task<ReloadTrigger> NextAsync(ChannelReader<bool> events, CancellationToken cancellationToken)
    {
        if (!await EventWithinAsync(events, Rescan, cancellationToken).ConfigureAwait(false))
        {
            return ReloadTrigger.Poll;
        }

        while (await EventWithinAsync(events, Debounce, cancellationToken).ConfigureAwait(false))
        {
            // another event of the same burst (a renewal writes several files): wait for quiet again
        }

        return ReloadTrigger.Watch;
    }

    /// <summary>True when an event came within <paramref name="within"/>; a cancelled channel read consumes nothing.</summary>
    private static async Task<bool> EventWithinAsync(ChannelReader<bool> events, TimeSpan within, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(within);
        try
        {
            await events.ReadAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The chain's PEM, a newline, and the key's PEM (when there is a key file), as one payload.</summary>
    private SourceChange Read(ReloadTrigger trigger)
    {
        var certificate = FirstExisting(CertificateFiles);
        if (certificate is null)
        {
            return SourceChange.Absent(trigger: trigger, reason: $"the directory holds none of {string.Join(", ", CertificateFiles)}");
        }

        try
        {
            var key = FirstExisting(KeyFiles);
            byte[] payload = [.. File.ReadAllBytes(certificate), (byte)'\n', .. key is null ? [] : File.ReadAllBytes(key)];
            return SourceChange.FromContent(payload, trigger: trigger);
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException)
        {
            return SourceChange.Failure($"cannot read the certificate files: {unreadable.Message}", trigger); // retried on the next event
        }
    }

    private string? FirstExisting(string[] names) =>
        names.Select(name => Path.Combine(directory, name)).FirstOrDefault(File.Exists); // File.Exists follows links: a dangling one counts as missing
}
