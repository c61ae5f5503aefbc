using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ReloadHandle.Sources.Consul.Internal;

namespace ReloadHandle.Sources.Consul;

/// <summary>
/// Writes configuration for deploy pipelines through Consul's transaction endpoint (<c>PUT /v1/txn</c>): the value and
/// its <see cref="ConsulWriteStamp"/> — label, publisher and <c>traceparent</c>, in <c>&lt;key&gt;/.label</c>,
/// <c>&lt;key&gt;/.publisher</c> and <c>&lt;key&gt;/.traceparent</c> — at one index, so the readers' snapshots carry
/// the label and their reload spans are children of the deploy; optionally check-and-set on the ModifyIndex the
/// writer last saw.
/// </summary>
/// <remarks>
/// Consul (1.6 and later) leaves a key's ModifyIndex alone when a write stores exactly what it holds (value, flags,
/// lock, session). So that every stamp key takes the write's index even when its text repeats (the same publisher on
/// every deploy), each write gives its stamp keys fresh <c>Flags</c>: a random write id, which readers ignore.
/// </remarks>
/// <example><code>
/// using var writer = new ConsulKvWriter("http://127.0.0.1:8500", o =&gt; o.Token = token);
/// var result = await writer.PutAsync("gateway/routes", File.ReadAllBytes("routes.json"), expectedModifyIndex: lastSeen,
///     new ConsulWriteStamp { Label = "v1.4.0", Publisher = "ci: deploy #812" });
/// if (!result.IsWritten) { Console.Error.WriteLine(string.Join("; ", result.Errors)); }
/// </code></example>
public sealed class ConsulKvWriter : IDisposable
{
    /// <summary>The most operations one transaction may hold on every Consul version (agent/txn_endpoint.go: 128; 64 in older versions).</summary>
    public const int MaxOperations = 64;

    /// <summary>The largest value Consul accepts by default (<c>limits.kv_max_value_size</c>): 512 KiB.</summary>
    public const int MaxValueBytes = 512 * 1024;

    /// <summary>
    /// The largest transaction body Consul accepts by default (<c>limits.txn_max_req_len</c>): 512 KiB. Values travel in
    /// base64, so a transaction holds about 384 KiB of values.
    /// </summary>
    public const int MaxTransactionBytes = 512 * 1024;

    private readonly ConsulHttp _http;
    private readonly ConsulSourceOptions _options;

    /// <summary>Creates a writer that talks to the agent at <paramref name="address"/>.</summary>
    /// <param name="address">The agent's address, such as <c>http://127.0.0.1:8500</c>.</param>
    /// <param name="configure">
    /// Sets how to reach Consul: <see cref="ConsulSourceOptions.Token"/>, <see cref="ConsulSourceOptions.Datacenter"/>,
    /// <see cref="ConsulSourceOptions.RequestTimeout"/>, <see cref="ConsulSourceOptions.ConfigureHttpHandler"/>.
    /// </param>
    /// <exception cref="ArgumentException">The address or an option is invalid.</exception>
    public ConsulKvWriter(string address, Action<ConsulSourceOptions>? configure = null)
    {
        var uri = ConsulEndpoint.Parse(address, "a Consul writer");
        var options = new ConsulSourceOptions();
        configure?.Invoke(options);
        options.Validate("a Consul writer");
        _options = options;
        _http = new ConsulHttp(uri, options.Token, options.ConfigureHttpHandler);
    }

    /// <summary>Writes <paramref name="value"/> to <paramref name="key"/> with its stamp, in one transaction.</summary>
    /// <param name="key">The key the readers watch.</param>
    /// <param name="value">The payload, exactly as the readers will receive it.</param>
    /// <param name="expectedModifyIndex">
    /// Write only if the key's ModifyIndex is still this (0: only if the key does not exist), such as the handle's
    /// <see cref="Snapshot{T}.SourceRevision"/>. <see langword="null"/>: write anyway.
    /// </param>
    /// <param name="stamp">The label, publisher and traceparent to store with the value; default: only <see cref="System.Diagnostics.Activity.Current"/>'s traceparent, if any.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The outcome; a check-and-set conflict is a result, not an exception.</returns>
    /// <exception cref="ArgumentException">The value or the transaction is larger than Consul accepts (<see cref="MaxValueBytes"/>, <see cref="MaxTransactionBytes"/>).</exception>
    /// <exception cref="SourceException">Consul failed, refused the token or did not answer.</exception>
    public Task<ConsulWriteResult> PutAsync(string key, ReadOnlyMemory<byte> value, ulong? expectedModifyIndex = null, ConsulWriteStamp? stamp = null, CancellationToken cancellationToken = default)
    {
        ConsulTarget.Check(key, nameof(key));
        CheckValue(key, value.Length, nameof(value));
        var target = new ConsulTarget(key, isPrefix: false);
        var operations = new List<TxnOperation>(1 + ConsulStamps.All.Count) { new(expectedModifyIndex is null ? "set" : "cas", key, value, expectedModifyIndex) };
        AddStamps(operations, target, stamp);
        return CommitAsync(operations, $"Writing {key}", ConfigIdentity.Of(value.Span), folder: false, cancellationToken);
    }

    /// <summary>
    /// Replaces the whole folder with <paramref name="entries"/> in one transaction (keys not listed are deleted), with
    /// the stamp. Readers of the folder see one snapshot: never half of the entries.
    /// </summary>
    /// <param name="folder">The folder the readers watch (a trailing '/' is added when missing).</param>
    /// <param name="entries">The keys below the folder, with their values.</param>
    /// <param name="stamp">The label, publisher and traceparent to store with the entries; default: only <see cref="System.Diagnostics.Activity.Current"/>'s traceparent, if any.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentException">
    /// An entry name is empty, a folder, or a stamp key (<c>.label</c>, <c>.publisher</c>, <c>.traceparent</c>); or the
    /// entries need more than <see cref="MaxOperations"/> operations (the folder's delete, the entries and three stamp
    /// keys: at most 60 entries), a value exceeds <see cref="MaxValueBytes"/> or the transaction <see cref="MaxTransactionBytes"/>.
    /// </exception>
    /// <exception cref="SourceException">Consul failed, refused the token or did not answer.</exception>
    public Task<ConsulWriteResult> ReplaceFolderAsync(string folder, IReadOnlyDictionary<string, byte[]> entries, ConsulWriteStamp? stamp = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var target = new ConsulTarget(folder, isPrefix: true);
        var ordered = entries.OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        var operations = new List<TxnOperation>(entries.Count + 4) { new("delete-tree", target.Key, ReadOnlyMemory<byte>.Empty) };
        foreach (var (name, value) in ordered)
        {
            if (string.IsNullOrEmpty(name) || target.EntryName(target.Key + name) != name)
            {
                throw new ArgumentException($"Entry '{name}' cannot be written under {target.Key}: names must be non-empty, must not end in '/' and must not be a stamp key ({ConsulStamps.Names}).", nameof(entries));
            }

            CheckValue(target.Key + name, value?.Length ?? 0, nameof(entries));
            operations.Add(new("set", target.Key + name, value));
        }

        AddStamps(operations, target, stamp);
        if (operations.Count > MaxOperations)
        {
            throw new ArgumentException($"{entries.Count} entries need {operations.Count} operations (the folder's delete, the entries and {ConsulStamps.All.Count} stamp keys); one Consul transaction holds at most {MaxOperations}.", nameof(entries));
        }

        // The id of the document the readers compose: entries in key order, an empty value as "".
        var document = PrefixDocument.ComposeJson(ordered.Select(e => (e.Key, (ReadOnlyMemory<byte>)(e.Value ?? []))));
        return CommitAsync(operations, $"Writing {target.Key}", ConfigIdentity.Of(document), folder: true, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    // Every stamp key on every write, empty when there is nothing to say, with a fresh write id in Flags: Consul keeps
    // the ModifyIndex of an entry written unchanged, and a stamp must always carry its write's index.
    private static void AddStamps(List<TxnOperation> operations, ConsulTarget target, ConsulWriteStamp? stamp)
    {
        stamp ??= ConsulWriteStamp.None;
        var writeId = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1;
        foreach (var (key, metadata) in target.Stamps)
        {
            operations.Add(new("set", key, Encoding.UTF8.GetBytes(stamp.ValueOf(metadata)), Flags: writeId));
        }
    }

    // Consul answers 413 past these limits (agent/kvs_endpoint.go, agent/txn_endpoint.go): refuse before sending.
    private static void CheckValue(string key, int length, string parameter)
    {
        if (length > MaxValueBytes)
        {
            throw new ArgumentException($"The value of '{key}' is {length} bytes; Consul accepts at most {MaxValueBytes} (limits.kv_max_value_size). Split it across keys.", parameter);
        }
    }

    private Task<ConsulWriteResult> CommitAsync(List<TxnOperation> operations, string what, string configId, bool folder, CancellationToken cancellationToken)
    {
        var body = TxnOperation.Body(operations);
        if (body.Length > MaxTransactionBytes)
        {
            throw new ArgumentException($"{what}: the transaction is {body.Length} bytes (values travel in base64); Consul accepts at most {MaxTransactionBytes} (limits.txn_max_req_len). Write fewer or smaller values at once.");
        }

        return SendAsync(body, what, configId, folder, cancellationToken);
    }

    private async Task<ConsulWriteResult> SendAsync(byte[] body, string what, string configId, bool folder, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var path = _options.Datacenter is { } datacenter ? "v1/txn?dc=" + Uri.EscapeDataString(datacenter) : "v1/txn";
        var request = new ConsulRequest(HttpMethod.Put, path, _options.RequestTimeout, _options.TimeProvider ?? TimeProvider.System, _options.MaxResponseBytes, what);
        var response = await _http.SendAsync(request, content, cancellationToken).ConfigureAwait(false);
        if (response.Status is not (HttpStatusCode.OK or HttpStatusCode.Conflict))
        {
            throw response.Failure(what, _options.Token, _options.Datacenter);
        }

        TxnResponse? answer;
        try
        {
            answer = JsonSerializer.Deserialize(response.Body, ConsulJson.Default.TxnResponse);
        }
        catch (JsonException malformed)
        {
            throw new SourceException($"{what}: the answer is not a transaction result: {malformed.Message}", malformed);
        }

        if (response.Status == HttpStatusCode.Conflict)
        {
            return new ConsulWriteResult(false, 0, answer?.Errors?.Select(e => $"operation {e.OpIndex}: {e.What}").ToArray() ?? ["Consul rolled the transaction back"]) { ConfigId = configId };
        }

        // A key reports its own ModifyIndex (the first result; an unchanged value keeps its old one); a folder, the
        // highest index under it, which its stamp keys carry.
        var results = answer?.Results ?? [];
        var index = folder ? results.Max(r => r?.KV?.ModifyIndex) : results.FirstOrDefault()?.KV?.ModifyIndex;
        return new ConsulWriteResult(true, index ?? 0, []) { ConfigId = configId };
    }
}
