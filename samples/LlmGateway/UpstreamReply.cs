namespace LlmGateway;

/// <summary>
/// What came of sending a completion to one upstream: a whole answer (its status, type and body, relayed as is), a
/// stream whose headers said 2xx (relayed chunk by chunk), or an error the gateway gives the client (502, 504).
/// <see cref="Failure"/> says why another upstream might do better — set for 5xx, timeouts and connection errors only.
/// </summary>
internal sealed class UpstreamReply : IDisposable
{
    private UpstreamReply(CompiledRoute.Target target) => Target = target;

    public CompiledRoute.Target Target { get; }

    /// <summary>Why the route's fallback should be tried: <c>status 503</c>, <c>timeout</c>, <c>unreachable</c>; null when it should not.</summary>
    public string? Failure { get; private init; }

    /// <summary>The <c>error.type</c> of a reply that is an error; null for a success.</summary>
    public string? ErrorType { get; private init; }

    public int Status { get; private init; }

    public string ContentType { get; private init; } = "application/json";

    public byte[] Body { get; private init; } = [];

    /// <summary>A 2xx stream to relay; its <see cref="Deadline"/> then bounds each chunk.</summary>
    public HttpResponseMessage? Stream { get; private init; }

    public CancellationTokenSource? Deadline { get; private init; }

    /// <summary>An error of the gateway's own (the upstream's key was refused, it timed out, it was unreachable).</summary>
    public IResult? Error { get; private init; }

    public static UpstreamReply Answered(CompiledRoute.Target target, int status, string? contentType, byte[] body) => new(target)
    {
        Status = status,
        ContentType = contentType ?? "application/json",
        Body = body,
        Failure = status >= 500 ? $"status {status}" : null,
        ErrorType = status >= 400 ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
    };

    public static UpstreamReply Streaming(CompiledRoute.Target target, HttpResponseMessage response, CancellationTokenSource deadline) =>
        new(target) { Status = (int)response.StatusCode, Stream = response, Deadline = deadline };

    public static UpstreamReply Refused(CompiledRoute.Target target, IResult error, string errorType, string? failure = null) =>
        new(target) { Error = error, ErrorType = errorType, Failure = failure };

    public void Dispose()
    {
        Stream?.Dispose();
        Deadline?.Dispose();
    }
}
