using Microsoft.AspNetCore.Http;

namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// A KV read's answer replaced by arbitrary bytes and headers (for fuzzing the source's parsing): what a broken proxy,
/// a truncated transfer or a server bug could send. Not something Consul itself answers.
/// </summary>
/// <param name="Status">The status code.</param>
/// <param name="Body">The body bytes, sent as they are.</param>
/// <param name="Headers">Response headers, such as <c>X-Consul-Index</c>.</param>
public sealed record RawAnswer(int Status, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    public async Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = Status;
        foreach (var (name, value) in Headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(Body);
    }
}
