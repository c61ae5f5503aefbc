using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Samples.LlmGateway.Tests;

/// <summary>The client key check is ASP.NET Core's: an authentication scheme on keys.json and an authorization policy on the API.</summary>
public sealed class AuthenticationTests
{
    [Fact]
    public async Task The_client_key_check_is_an_authentication_scheme_behind_a_policy_on_every_api_endpoint()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = gateway.App.Services;

        var scheme = await services.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync("LlmClientKey");
        var policy = await services.GetRequiredService<IAuthorizationPolicyProvider>().GetPolicyAsync("llm-client");
        var api = services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v1/", StringComparison.Ordinal) == true).ToList();

        scheme.Should().NotBeNull();
        scheme!.HandlerType.Name.Should().Be("ClientKeyAuthentication");
        policy.Should().NotBeNull();
        policy!.AuthenticationSchemes.Should().Equal("LlmClientKey");
        policy.Requirements.Should().ContainSingle().Which.Should().BeOfType<DenyAnonymousAuthorizationRequirement>();
        api.Select(e => e.RoutePattern.RawText).Should().BeEquivalentTo("/v1/chat/completions", "/v1/models");
        api.Should().OnlyContain(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == "llm-client"));
    }

    [Theory]
    [InlineData(null, "missing_api_key")]
    [InlineData("Bearer gw-nobody-00000000000000000000", "invalid_api_key")]
    [InlineData("Basic b3BzOnBhc3N3b3Jk", "missing_api_key")]
    public async Task A_missing_or_wrong_key_is_a_401_in_openais_shape_with_a_bearer_challenge(string? authorization, string code)
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.Http();
        foreach (var request in new[] { new HttpRequestMessage(HttpMethod.Get, "/v1/models"), Chat() })
        {
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await http.SendAsync(request);
            using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            response.Headers.WwwAuthenticate.Select(h => h.Scheme).Should().Equal("Bearer");
            error.RootElement.GetProperty("error").GetProperty("code").GetString().Should().Be(code);
            error.RootElement.GetProperty("error").GetProperty("type").GetString().Should().Be("invalid_request_error");
            gateway.Alpha.Completions.Should().Be(0, "nothing is forwarded");
        }

        static HttpRequestMessage Chat() => new(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{ "model": "chat", "messages": [] }""", System.Text.Encoding.UTF8, "application/json"),
        };
    }
}
