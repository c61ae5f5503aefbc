using System.Text.Json.Nodes;

namespace LlmGateway;

/// <summary>One completion to forward: the body (its system prompt added), the request's keys, its route and the target picked.</summary>
internal sealed record ForwardPlan(JsonObject Body, KeysConfig Keys, CompiledRoute Route, CompiledRoute.Target Target, bool Stream);
