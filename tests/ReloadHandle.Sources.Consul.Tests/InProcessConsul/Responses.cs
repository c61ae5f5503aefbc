using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>How the double writes answers: Consul's plain-text errors, its JSON, and its query metadata headers.</summary>
internal static class Responses
{
    /// <summary>
    /// The query metadata (agent/http.go <c>setMeta</c>): <c>X-Consul-Index</c> (never 0: <c>setIndex</c> sends 1
    /// instead), <c>X-Consul-LastContact</c> in whole milliseconds, <c>X-Consul-KnownLeader</c>, and
    /// <c>X-Consul-Results-Filtered-By-ACLs</c> only when something was filtered. KV reads set no effective consistency.
    /// </summary>
    public static void SetMeta(HttpResponse response, ulong index, bool knownLeader, TimeSpan lastContact, bool filtered)
    {
        var headers = response.Headers;
        headers["X-Consul-Index"] = Math.Max(index, 1).ToString(CultureInfo.InvariantCulture);
        headers["X-Consul-LastContact"] = ((long)Math.Max(0, lastContact.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        headers["X-Consul-KnownLeader"] = knownLeader ? "true" : "false";
        if (filtered)
        {
            headers["X-Consul-Results-Filtered-By-ACLs"] = "true";
        }
    }

    public static async Task TextAsync(HttpContext context, HttpStatusCode status, string text)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text);
    }

    public static async Task JsonAsync(HttpContext context, HttpStatusCode status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory);
    }

    /// <summary>An entry with the field order and shape of Consul's DirEntry: no Session when empty, Value null without bytes.</summary>
    public static void WriteEntry(Utf8JsonWriter json, KvStore.Entry entry, bool withValue)
    {
        json.WriteStartObject();
        json.WriteNumber("LockIndex", entry.LockIndex);
        json.WriteString("Key", entry.Key);
        json.WriteNumber("Flags", entry.Flags);
        if (withValue && entry.Value is { } value)
        {
            json.WriteBase64String("Value", value);
        }
        else
        {
            json.WriteNull("Value");
        }

        if (entry.Session is { } session)
        {
            json.WriteString("Session", session);
        }

        json.WriteNumber("CreateIndex", entry.CreateIndex);
        json.WriteNumber("ModifyIndex", entry.ModifyIndex);
        json.WriteEndObject();
    }
}
