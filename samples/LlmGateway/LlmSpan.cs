using System.Diagnostics;
using static LlmGateway.GenAi.Attributes;

namespace LlmGateway;

/// <summary>
/// One LLM request as OpenTelemetry's GenAI conventions describe an inference call: a client span
/// <c>chat {model}</c> with <c>gen_ai.*</c> attributes, next to the config versions it ran under
/// (<c>config.&lt;handle&gt;.*</c>) and which upstream served it; and its points on the
/// <c>gen_ai.client.*</c> histograms. The upstream attempts are its children (HttpClient spans).
/// </summary>
internal sealed class LlmSpan : IDisposable
{
    private readonly Activity? _activity;
    private readonly long _started = Stopwatch.GetTimestamp();
    private CompiledRoute.Target _target;
    private bool _fallback;
    private string? _errorType;

    private LlmSpan(Activity? activity, CompiledRoute.Target target) => (_activity, _target) = (activity, target);

    /// <summary>What the upstream said about its completion, read as it passes.</summary>
    public CompletionFacts Facts { get; } = new();

    public static LlmSpan Start(RequestConfig config, string alias, CompiledRoute.Target target, bool stream)
    {
        // The attributes a sampler may look at are given at creation, as the conventions ask.
        var activity = GenAi.Source.StartActivity(ActivityKind.Client, tags: Sampling(target), name: Name(target));
        config.Tag(activity);
        activity?.SetTag(GatewayModel, alias);
        if (stream)
        {
            activity?.SetTag(RequestStream, true);
        }

        return new LlmSpan(activity, target);
    }

    /// <summary>The route's fallback takes over from the target that failed.</summary>
    public void FallingBack(CompiledRoute.Target fallback, string reason)
    {
        _activity?.SetTag(GatewayFallbackFrom, _target.Upstream).SetTag(GatewayFallbackReason, reason);
        _target = fallback;
        _fallback = true;
        if (_activity is not null)
        {
            _activity.DisplayName = Name(fallback);
            foreach (var (key, value) in Sampling(fallback))
            {
                _activity.SetTag(key, value);
            }
        }
    }

    /// <summary>The first chunk of a stream reached the client.</summary>
    public void FirstChunk() => _activity?.SetTag(ResponseTimeToFirstChunk, Stopwatch.GetElapsedTime(_started).TotalSeconds);

    /// <summary>The request failed: an upstream's status code (<c>500</c>), <c>timeout</c>, or a connection error.</summary>
    public void Failed(string errorType) => _errorType = errorType;

    public void Dispose()
    {
        var tags = new TagList
        {
            { OperationName, GenAi.Chat },
            { ProviderName, _target.Provider },
            { RequestModel, _target.Model },
            { ServerAddress, _target.Endpoint.Host },
            { ServerPort, _target.Endpoint.Port },
        };
        if (Facts.Model is { } model)
        {
            tags.Add(ResponseModel, model);
        }

        if (_errorType is not null)
        {
            tags.Add(ErrorType, _errorType);
        }

        GenAi.OperationDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
        RecordTokens(tags);
        End();
    }

    private static string Name(CompiledRoute.Target target) => $"{GenAi.Chat} {target.Model}";

    private static KeyValuePair<string, object?>[] Sampling(CompiledRoute.Target target) =>
    [
        new(OperationName, GenAi.Chat),
        new(ProviderName, target.Provider),
        new(RequestModel, target.Model),
        new(ServerAddress, target.Endpoint.Host),
        new(ServerPort, target.Endpoint.Port),
    ];

    private void RecordTokens(TagList tags)
    {
        foreach (var (type, count) in new[] { ("input", Facts.InputTokens), ("output", Facts.OutputTokens) })
        {
            if (count is { } tokens && _errorType is null)
            {
                var withType = tags;
                withType.Add(TokenType, type);
                GenAi.TokenUsage.Record(tokens, withType);
            }
        }
    }

    private void End()
    {
        if (_activity is null)
        {
            return;
        }

        _activity.SetTag(GatewayUpstream, _target.Upstream).SetTag(GatewayFallback, _fallback)
            .SetTag(ResponseId, Facts.Id).SetTag(ResponseModel, Facts.Model)
            .SetTag(InputTokens, Facts.InputTokens).SetTag(OutputTokens, Facts.OutputTokens);
        if (Facts.FinishReasons.Count > 0)
        {
            _activity.SetTag(ResponseFinishReasons, Facts.FinishReasons.ToArray());
        }

        if (_errorType is not null)
        {
            _activity.SetTag(ErrorType, _errorType).SetStatus(ActivityStatusCode.Error, _errorType);
        }

        _activity.Dispose();
    }
}
