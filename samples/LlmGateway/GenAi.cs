using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LlmGateway;

/// <summary>
/// The gateway's own telemetry: the <c>LlmGateway</c> activity source and meter, and the names OpenTelemetry's GenAI
/// semantic conventions give an inference call (<c>gen_ai.*</c>; <c>gen_ai.provider.name</c> replaced
/// <c>gen_ai.system</c>), besides the gateway's own <c>gateway.*</c> attributes.
/// </summary>
internal static class GenAi
{
    public const string SourceName = "LlmGateway";
    public const string Chat = "chat";

    public static readonly ActivitySource Source = new(SourceName);
    public static readonly Meter Meter = new(SourceName);

    // The conventions' advised bucket boundaries.
    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram(
        "gen_ai.client.operation.duration", "s", "Duration of GenAI operations the gateway made, fallbacks included", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });

    public static readonly Histogram<long> TokenUsage = Meter.CreateHistogram(
        "gen_ai.client.token.usage", "{token}", "Tokens the upstreams reported, by gen_ai.token.type", tags: null,
        new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });

    public static class Attributes
    {
        public const string OperationName = "gen_ai.operation.name";
        public const string ProviderName = "gen_ai.provider.name";
        public const string RequestModel = "gen_ai.request.model";
        public const string RequestStream = "gen_ai.request.stream";
        public const string ResponseId = "gen_ai.response.id";
        public const string ResponseModel = "gen_ai.response.model";
        public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
        public const string ResponseTimeToFirstChunk = "gen_ai.response.time_to_first_chunk";
        public const string InputTokens = "gen_ai.usage.input_tokens";
        public const string OutputTokens = "gen_ai.usage.output_tokens";
        public const string TokenType = "gen_ai.token.type";
        public const string ServerAddress = "server.address";
        public const string ServerPort = "server.port";
        public const string ErrorType = "error.type";

        /// <summary>The alias the client asked for (<c>chat</c>); <c>gen_ai.request.model</c> is what the gateway asked the upstream for.</summary>
        public const string GatewayModel = "gateway.model";

        /// <summary>The upstream that served (the fallback's when it was used).</summary>
        public const string GatewayUpstream = "gateway.upstream";
        public const string GatewayTenant = "gateway.tenant";

        /// <summary>true when the route's fallback served; with <c>.from</c> (the failed upstream) and <c>.reason</c> (<c>status 503</c>, <c>timeout</c>, <c>unreachable</c>).</summary>
        public const string GatewayFallback = "gateway.fallback";
        public const string GatewayFallbackFrom = "gateway.fallback.from";
        public const string GatewayFallbackReason = "gateway.fallback.reason";
    }
}
