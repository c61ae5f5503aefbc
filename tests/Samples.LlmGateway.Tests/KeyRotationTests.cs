using System.Net;
using LlmGateway;

namespace Samples.LlmGateway.Tests;

/// <summary>An upstream key rotation that races requests in flight: the old key is revoked only once no request can still use it.</summary>
public sealed class KeyRotationTests
{
    [Fact]
    public async Task A_request_still_uploading_its_body_keeps_the_keys_it_started_with_and_the_old_key_is_revoked_after_it()
    {
        await using var gateway = await TestGateway.StartAsync();
        var newKey = TestGateway.NewKey("up-alpha");
        using var http = gateway.Http();
        using var body = new GatedContent("""{ "model": "chat", "messages": [ { "role": "user", "content": "a question typed slowly" } ] }""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = body };
        request.Headers.Authorization = new("Bearer", gateway.ClientKey);

        var sending = http.SendAsync(request);
        await body.FirstHalfSent.WaitAsync(TimeSpan.FromSeconds(10));
        var keysV1 = gateway.Keys.Current;
        await Wait.UntilAsync(() => keysV1.OpenLeases > 0, "the gateway leases keys v1 once the request's headers arrived");

        // The rotation workflow: issue the new key, apply keys v2, revoke the old key once keys v1 is released.
        gateway.Alpha.AcceptKeys(gateway.AlphaKey, newKey);
        await gateway.Config.EditAsync(gateway.Keys, "keys.json", ConfigDirectory.Keys([gateway.ClientKey], newKey, gateway.BetaKey), r => r.IsApplied);
        var released = gateway.Keys.WhenReleasedAsync(keysV1.Version);
        var revoked = released.ContinueWith(_ => gateway.Alpha.AcceptKeys(newKey), TaskScheduler.Default);
        var heldWhileUploading = !released.IsCompleted;
        body.SendRest();
        using var response = await sending.WaitAsync(TimeSpan.FromSeconds(20));
        var text = await response.Content.ReadAsStringAsync();
        await revoked.WaitAsync(TimeSpan.FromSeconds(10));
        var after = await Answer.AskAsync(gateway.Chat());

        heldWhileUploading.Should().BeTrue("the request that read keys v1 holds it until it ends");
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        text.Should().Contain("[alpha/alpha-chat]");
        ChatCompletions.ParseVersions(response.Headers.GetValues(ChatCompletions.VersionsHeader).Single())["keys"].Should().Be(1);
        after.Versions["keys"].Should().Be(2, "alpha now accepts only the new key, and the gateway presents it");
        gateway.Keys.DrainedThrough.Should().Be(1);
    }
}
