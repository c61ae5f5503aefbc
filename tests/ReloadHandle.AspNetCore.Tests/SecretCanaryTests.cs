namespace ReloadHandle.AspNetCore.Tests;

/// <summary>
/// A [Secret] value in the config, in a validator's error and in a diff: no response of the group, no event, not the
/// page nor its assets, and no log line of the app may hold it.
/// </summary>
public sealed class SecretCanaryTests
{
    [Fact]
    public async Task No_secret_reaches_any_response_event_page_or_log_line()
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.Client("ops");
        await using var events = await EventStream.OpenAsync(client.Http);
        await events.NextAsync("handles");
        var rotated = "canary-" + Guid.NewGuid().ToString("N");
        var revoked = "revoked-" + Guid.NewGuid().ToString("N");

        await app.EditRoutesAsync(Json.Routes("green", rotated), ReloadOutcome.Applied);          // the diff holds both tokens' paths
        var rejection = await app.EditRoutesAsync(Json.Routes("blue", revoked), ReloadOutcome.Rejected); // the validator quotes the token
        rejection.Errors.Should().Contain(e => e.Contains("is revoked"), "the validator ran");
        await events.NextAsync("attempt", e => e.GetProperty("outcome").GetString() == "Rejected");
        using (var rollback = await client.PostAsync("/reload/api/handles/routes/rollback", """{"version":1}"""))
        {
            rollback.EnsureSuccessStatusCode();
        }

        await events.NextAsync("attempt", e => e.GetProperty("trigger").GetString() == "Rollback");

        var bodies = new Dictionary<string, string> { ["events"] = events.Raw };
        foreach (var path in new[]
        {
            "/reload/", "/reload/assets/dashboard.js", "/reload/assets/dashboard.css", "/reload/api/handles", "/reload/api/handles/routes",
            "/reload/api/handles/routes/diff", "/reload/api/handles/routes/diff?from=1&to=2", "/reload/api/handles/routes/diff?from=2&to=3",
            "/reload/api/fleet", "/reload/api/fleet/routes",
        })
        {
            bodies[path] = await client.Http.GetStringAsync(path);
        }

        bodies["/reload/api/handles/routes/diff?from=1&to=2"].Should().Contain("$.upstreamToken").And.Contain("***", "the changed secret shows, masked");
        bodies["events"].Should().Contain("is revoked", "the rejection is shown");
        foreach (var secret in new[] { app.Canary, rotated, revoked })
        {
            bodies.Should().NotContain(b => b.Value.Contains(secret, StringComparison.Ordinal), $"no output may hold {secret}");
            app.Logs.Lines.Should().NotContain(l => l.Contains(secret, StringComparison.Ordinal));
        }
    }
}
