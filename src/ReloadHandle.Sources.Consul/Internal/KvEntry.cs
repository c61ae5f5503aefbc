using System.Text.Json.Serialization;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// One item of a KV read, as Consul returns it: <c>Value</c> is base64 in JSON (decoded here) and <c>null</c> when the
/// key holds no bytes; <c>ModifyIndex</c> is the index of the key's last write.
/// </summary>
internal sealed record KvEntry(
    string Key,
    byte[]? Value,
    ulong CreateIndex,
    ulong ModifyIndex,
    ulong LockIndex,
    ulong Flags,
    string? Session);

/// <summary>A result of a transaction (<c>/v1/txn</c>): KV results only.</summary>
internal sealed record TxnResult(KvEntry? KV);

/// <summary>An operation of a transaction that failed, when Consul rolled it back.</summary>
internal sealed record TxnError(int OpIndex, string? What);

/// <summary>The body of a <c>/v1/txn</c> answer (200 applied, 409 rolled back).</summary>
internal sealed record TxnResponse(TxnResult[]? Results, TxnError[]? Errors);

/// <summary>The body of <c>PUT /v1/session/create</c> (agent/session_endpoint.go; LockDelay as a Go duration).</summary>
internal sealed record SessionRequest(string Name, string TTL, string Behavior, string LockDelay);

/// <summary>The answer of <c>PUT /v1/session/create</c>: <c>{"ID": "…"}</c>.</summary>
internal sealed record SessionCreated(string? ID);

/// <summary>Source-generated (de)serialization of Consul's PascalCase JSON.</summary>
[JsonSerializable(typeof(KvEntry[]))]
[JsonSerializable(typeof(TxnResponse))]
[JsonSerializable(typeof(SessionRequest))]
[JsonSerializable(typeof(SessionCreated))]
internal sealed partial class ConsulJson : JsonSerializerContext;
