using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using ReloadHandle.Sources.Consul.Internal;

namespace ReloadHandle.Sources.Consul;

/// <summary>
/// Writes configuration for deploy pipelines through Consul's transaction endpoint (<c>PUT /v1/txn</c>): the value and
/// the writer's <c>traceparent</c> (in <c>&lt;key&gt;/.traceparent</c>) at one index, so the readers' reload spans link
/// to the deploy; optionally check-and-set on the ModifyIndex the writer last saw.
/// </summary>
/// <example><code>
/// using var writer = new ConsulKvWriter("http://127.0.0.1:8500", o =&gt; o.Token = token);
/// var result = await writer.PutAsync("gateway/routes", File.ReadAllBytes("routes.json"), expectedModifyIndex: lastSeen);
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

    /// <summary>Writes <paramref name="value"/> to <paramref name="key"/>, with its traceparent, in one transaction.</summary>
    /// <param name="key">The key the readers watch.</param>
    /// <param name="value">The payload, exactly as the readers will receive it.</param>
    /// <param name="expectedModifyIndex">
    /// Write only if the key's ModifyIndex is still this (0: only if the key does not exist), such as the handle's
    /// <see cref="Snapshot{T}.SourceRevision"/>. <see langword="null"/>: write anyway.
    /// </param>
    /// <param name="traceParent">The W3C traceparent to store; default: <see cref="Activity.Current"/>'s, if any.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The outcome; a check-and-set conflict is a result, not an exception.</returns>
    /// <exception cref="ArgumentException">The value or the transaction is larger than Consul accepts (<see cref="MaxValueBytes"/>, <see cref="MaxTransactionBytes"/>).</exception>
    /// <exception cref="SourceException">Consul failed, refused the token or did not answer.</exception>
    public Task<ConsulWriteResult> PutAsync(string key, ReadOnlyMemory<byte> value, ulong? expectedModifyIndex = null, string? traceParent = null, CancellationToken cancellationToken = default)
    {
        ConsulTarget.Check(key, nameof(key));
        CheckValue(key, value.Length, nameof(value));
        var operations = new List<Operation>(2) { new(expectedModifyIndex is null ? "set" : "cas", key, value, expectedModifyIndex) };
        AddTrace(operations, ConsulTarget.TraceKeyOf(key), traceParent);
        return CommitAsync(operations, $"Writing {key}", cancellationToken);
    }

    /// <summary>
    /// Replaces the whole folder with <paramref name="entries"/> in one transaction (keys not listed are deleted), with
    /// the traceparent. Readers of the folder see one snapshot: never half of the entries.
    /// </summary>
    /// <param name="folder">The folder the readers watch (a trailing '/' is added when missing).</param>
    /// <param name="entries">The keys below the folder, with their values.</param>
    /// <param name="traceParent">The W3C traceparent to store; default: <see cref="Activity.Current"/>'s, if any.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentException">
    /// An entry name is empty, a folder, or a <c>.traceparent</c> key; or the entries need more than
    /// <see cref="MaxOperations"/> operations, a value exceeds <see cref="MaxValueBytes"/> or the transaction <see cref="MaxTransactionBytes"/>.
    /// </exception>
    /// <exception cref="SourceException">Consul failed, refused the token or did not answer.</exception>
    public Task<ConsulWriteResult> ReplaceFolderAsync(string folder, IReadOnlyDictionary<string, byte[]> entries, string? traceParent = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var target = new ConsulTarget(folder, isPrefix: true);
        var operations = new List<Operation>(entries.Count + 2) { new("delete-tree", target.Key, ReadOnlyMemory<byte>.Empty, null) };
        foreach (var (name, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (string.IsNullOrEmpty(name) || target.EntryName(target.Key + name) != name)
            {
                throw new ArgumentException($"Entry '{name}' cannot be written under {target.Key}: names must be non-empty, must not end in '/' and must not be a .traceparent key.", nameof(entries));
            }

            CheckValue(target.Key + name, value?.Length ?? 0, nameof(entries));
            operations.Add(new("set", target.Key + name, value, null));
        }

        AddTrace(operations, target.TraceKey, traceParent);
        if (operations.Count > MaxOperations)
        {
            throw new ArgumentException($"{entries.Count} entries need {operations.Count} operations; one Consul transaction holds at most {MaxOperations}.", nameof(entries));
        }

        return CommitAsync(operations, $"Writing {target.Key}", cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static void AddTrace(List<Operation> operations, string traceKey, string? traceParent)
    {
        traceParent ??= Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;
        if (!string.IsNullOrEmpty(traceParent))
        {
            operations.Add(new("set", traceKey, System.Text.Encoding.UTF8.GetBytes(traceParent), null));
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

    private Task<ConsulWriteResult> CommitAsync(List<Operation> operations, string what, CancellationToken cancellationToken)
    {
        var body = Body(operations);
        if (body.Length > MaxTransactionBytes)
        {
            throw new ArgumentException($"{what}: the transaction is {body.Length} bytes (values travel in base64); Consul accepts at most {MaxTransactionBytes} (limits.txn_max_req_len). Write fewer or smaller values at once.");
        }

        return SendAsync(body, what, cancellationToken);
    }

    private async Task<ConsulWriteResult> SendAsync(byte[] body, string what, CancellationToken cancellationToken)
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

        return response.Status == HttpStatusCode.OK
            ? new ConsulWriteResult(true, answer?.Results?.Max(r => r?.KV?.ModifyIndex) ?? 0, [])
            : new ConsulWriteResult(false, 0, answer?.Errors?.Select(e => $"operation {e.OpIndex}: {e.What}").ToArray() ?? ["Consul rolled the transaction back"]);
    }

    private static byte[] Body(List<Operation> operations)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var operation in operations)
            {
                json.WriteStartObject();
                json.WriteStartObject("KV");
                json.WriteString("Verb", operation.Verb);
                json.WriteString("Key", operation.Key);
                if (operation.Verb != "delete-tree")
                {
                    json.WriteBase64String("Value", operation.Value.Span);
                }

                if (operation.Index is { } index)
                {
                    json.WriteNumber("Index", index);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private sealed record Operation(string Verb, string Key, ReadOnlyMemory<byte> Value, ulong? Index);
}
