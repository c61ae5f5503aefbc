namespace LlmGateway;

/// <summary>One alias, ready to serve: targets with resolved endpoints and cumulative weights, and its fallback.</summary>
internal sealed class CompiledRoute
{
    private readonly Target[] _targets;
    private readonly int[] _cumulative;

    private CompiledRoute(Target[] targets, int[] cumulative, Target? fallback, TimeSpan timeout) =>
        (_targets, _cumulative, Fallback, Timeout) = (targets, cumulative, fallback, timeout);

    /// <summary>Where a request goes when its target failed; null when the alias has none.</summary>
    public Target? Fallback { get; }

    public TimeSpan Timeout { get; }

    public static CompiledRoute Compile(ModelRoute route, IReadOnlyDictionary<string, UpstreamEndpoint> upstreams)
    {
        var targets = route.Targets.Select(t => Target.To(t.Upstream, t.Model, upstreams)).ToArray();
        var cumulative = new int[targets.Length];
        for (int i = 0, sum = 0; i < targets.Length; i++)
        {
            cumulative[i] = sum += route.Targets[i].Weight;
        }

        var fallback = route.Fallback is { } f ? Target.To(f.Upstream, f.Model, upstreams) : null;
        return new CompiledRoute(targets, cumulative, fallback, TimeSpan.FromSeconds(route.TimeoutSeconds));
    }

    /// <summary>Picks a target by weight; <paramref name="roll"/> is uniform in [0, 1) (a parameter, so tests choose it).</summary>
    public Target Pick(double roll)
    {
        var point = (int)(roll * _cumulative[^1]);                 // 0 .. total-1
        var index = Array.BinarySearch(_cumulative, point + 1);   // first cumulative weight > point
        return _targets[index >= 0 ? index : ~index];
    }

    /// <summary>One upstream model: its upstream's name and provider, and the URL the gateway posts to.</summary>
    internal sealed record Target(string Upstream, string Model, string Provider, Uri Endpoint)
    {
        public static Target To(string upstream, string model, IReadOnlyDictionary<string, UpstreamEndpoint> upstreams) =>
            new(upstream, model, upstreams[upstream].Provider, new Uri(upstreams[upstream].BaseUrl.AbsoluteUri.TrimEnd('/') + "/chat/completions"));
    }
}
