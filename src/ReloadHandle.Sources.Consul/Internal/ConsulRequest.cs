using System.Net.Http;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>One request to Consul: what to send, how long to wait for it on which clock, and how much to read back.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="PathAndQuery">Relative to the agent's address, such as <c>v1/kv/app?index=12&amp;wait=300s</c>.</param>
/// <param name="Timeout">The whole request's budget, answer included.</param>
/// <param name="Time">The clock of <paramref name="Timeout"/> and of a Retry-After date.</param>
/// <param name="MaxResponseBytes">The largest body read.</param>
/// <param name="What">What the request does, for messages ("Reading consul:…").</param>
internal sealed record ConsulRequest(HttpMethod Method, string PathAndQuery, TimeSpan Timeout, TimeProvider Time, int MaxResponseBytes, string What);
