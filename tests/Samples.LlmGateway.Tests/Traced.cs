using System.Diagnostics;

namespace Samples.LlmGateway.Tests;

/// <summary>Runs a call under a test span, so the gateway's spans can be found in the trace the client propagates.</summary>
internal static class Traced
{
    /// <summary>The gateway's span of one LLM request: source <c>LlmGateway</c>.</summary>
    public const string GatewaySource = "LlmGateway";

    /// <summary>Runs <paramref name="call"/>; its result (or exception), the gateway's server span and its LLM span.</summary>
    public static async Task<(T? Result, Exception? Error, Activity Server, Activity Llm)> RunAsync<T>(SpanCollector spans, Func<Task<T>> call)
    {
        using var test = SpanCollector.TestSource.StartActivity("call") ?? throw new InvalidOperationException("no listener");
        var (result, error) = (default(T), default(Exception));
        try
        {
            result = await call();
        }
        catch (Exception e) when (e is System.ClientModel.ClientResultException or IOException)
        {
            error = e;
        }

        // call → the OpenAI client's HTTP span → the gateway's server span → its LLM span.
        var server = await spans.WaitForAsync(all =>
        {
            var trace = all.Where(span => span.TraceId == test.TraceId).ToList();
            return trace.FirstOrDefault(server => server.Kind == ActivityKind.Server
                && trace.Any(client => client.SpanId == server.ParentSpanId && client.ParentSpanId == test.SpanId));
        });
        var llm = await spans.WaitForAsync(all => all.FirstOrDefault(span => span.TraceId == test.TraceId && span.Source.Name == GatewaySource));
        return (result, error, server, llm);
    }

    public static object? Tag(this Activity span, string name) => span.GetTagItem(name);
}
