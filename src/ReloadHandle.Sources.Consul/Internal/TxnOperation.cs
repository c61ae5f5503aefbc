using System.Buffers;
using System.Text.Json;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>One KV operation of a <c>/v1/txn</c> body (agent/txn_endpoint.go: <c>{"KV": {"Verb", "Key", "Value", "Flags", "Index"}}</c>).</summary>
/// <param name="Verb"><c>set</c>, <c>cas</c> or <c>delete-tree</c>.</param>
/// <param name="Key">The key (or, for <c>delete-tree</c>, the prefix).</param>
/// <param name="Value">The bytes to store (base64 in the body); none for a delete.</param>
/// <param name="Index">For <c>cas</c>: the ModifyIndex the key must still have (0: must not exist).</param>
/// <param name="Flags">Consul's opaque flags of the entry.</param>
internal sealed record TxnOperation(string Verb, string Key, ReadOnlyMemory<byte> Value, ulong? Index = null, ulong Flags = 0)
{
    /// <summary>The JSON body of a transaction of <paramref name="operations"/>.</summary>
    public static byte[] Body(IReadOnlyList<TxnOperation> operations)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var operation in operations)
            {
                json.WriteStartObject();
                json.WriteStartObject("KV");
                json.WriteString(nameof(Verb), operation.Verb);
                json.WriteString(nameof(Key), operation.Key);
                if (operation.Verb != "delete-tree")
                {
                    json.WriteBase64String(nameof(Value), operation.Value.Span);
                }

                if (operation.Flags != 0)
                {
                    json.WriteNumber(nameof(Flags), operation.Flags);
                }

                if (operation.Index is { } index)
                {
                    json.WriteNumber(nameof(Index), index);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
