using System.Net;
using System.Text.Json;

namespace ReloadHandle.AspNetCore.Tests;

/// <summary>The read API's JSON: handles, one handle with its history and leases, diffs between versions.</summary>
public sealed class ReadApiTests
{
    [Fact]
    public async Task Handles_lists_every_handle_with_state_version_id_source_and_what_the_group_offers()
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.Client();

        using var document = JsonDocument.Parse(await client.Http.GetStringAsync("/reload/api/handles"));
        var root = document.RootElement;
        root.GetProperty("writes").GetBoolean().Should().BeTrue();
        root.GetProperty("fleet").GetBoolean().Should().BeTrue();
        var handles = root.GetProperty("handles").EnumerateArray().ToDictionary(h => h.GetProperty("name").GetString()!, h => h.Clone());
        handles.Keys.Should().BeEquivalentTo("routes", "limits");

        var routes = handles["routes"];
        routes.GetProperty("type").GetString().Should().Be(nameof(RouteTable));
        routes.GetProperty("state").GetString().Should().Be("Healthy");
        routes.GetProperty("lastError").ValueKind.Should().Be(JsonValueKind.Null);
        routes.GetProperty("historyCount").GetInt32().Should().Be(1);
        var source = routes.GetProperty("source");
        source.GetProperty("kind").GetString().Should().Be("file");
        source.GetProperty("location").GetString().Should().Be(Path.Combine(app.Directory, "routes.json"));
        source.GetProperty("state").GetString().Should().Be("Healthy");
        var current = routes.GetProperty("current");
        current.GetProperty("version").GetInt64().Should().Be(1);
        current.GetProperty("configId").GetString().Should().Be(app.Routes.Current.ConfigId).And.MatchRegex("^[0-9a-f]{16}$");
        current.GetProperty("trigger").GetString().Should().Be("Initial");
        current.GetProperty("live").GetBoolean().Should().BeTrue();
        DateTimeOffset.Parse(current.GetProperty("appliedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture).Should().Be(app.Routes.Current.AppliedAt);
        routes.TryGetProperty("history", out var history).Should().BeTrue();
        history.ValueKind.Should().Be(JsonValueKind.Null, "the list leaves history to the handle's own endpoint");
    }

    [Fact]
    public async Task A_handle_shows_its_history_newest_first_with_the_leases_still_draining_each_version()
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.Client();
        using (var lease = app.Routes.Lease())
        {
            await app.EditRoutesAsync(Json.Routes("green", app.Canary), ReloadOutcome.Applied);

            using var document = JsonDocument.Parse(await client.Http.GetStringAsync("/reload/api/handles/routes"));
            var history = document.RootElement.GetProperty("history").EnumerateArray().ToList();
            history.Select(s => s.GetProperty("version").GetInt64()).Should().Equal(2, 1);
            history[0].GetProperty("live").GetBoolean().Should().BeTrue();
            history[0].GetProperty("trigger").GetString().Should().Be("Watch");
            history[1].GetProperty("live").GetBoolean().Should().BeFalse();
            history[1].GetProperty("openLeases").GetInt32().Should().Be(1, "a request still holds v1");
            history[1].GetProperty("draining").GetBoolean().Should().BeTrue();
            history[0].GetProperty("draining").GetBoolean().Should().BeFalse();
        }

        using var after = JsonDocument.Parse(await client.Http.GetStringAsync("/reload/api/handles/routes"));
        after.RootElement.GetProperty("history")[1].GetProperty("openLeases").GetInt32().Should().Be(0, "the lease ended");
    }

    [Fact]
    public async Task Diff_names_each_changed_path_with_old_and_new_values_by_default_against_the_replaced_version()
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.Client();
        await app.EditRoutesAsync(Json.Routes("green", app.Canary, catalog: "green"), ReloadOutcome.Applied);

        using var document = JsonDocument.Parse(await client.Http.GetStringAsync("/reload/api/handles/routes/diff"));
        var diff = document.RootElement;
        diff.GetProperty("handle").GetString().Should().Be("routes");
        diff.GetProperty("from").GetInt64().Should().Be(1);
        diff.GetProperty("to").GetInt64().Should().Be(2);
        diff.GetProperty("truncated").GetBoolean().Should().BeFalse();
        var changes = diff.GetProperty("changes").EnumerateArray().Select(c => (
            Path: c.GetProperty("path").GetString(), Kind: c.GetProperty("kind").GetString(), Before: c.GetProperty("before").GetString(), After: c.GetProperty("after").GetString())).ToList();
        changes.Should().BeEquivalentTo(new[]
        {
            (Path: "$.routes[0].cluster", Kind: "Changed", Before: "\"blue\"", After: "\"green\""),
            (Path: "$.routes[1].cluster", Kind: "Changed", Before: "\"blue\"", After: "\"green\""),
        });

        using var explicitRange = JsonDocument.Parse(await client.Http.GetStringAsync("/reload/api/handles/routes/diff?from=2&to=1"));
        explicitRange.RootElement.GetProperty("changes")[0].GetProperty("after").GetString().Should().Be("\"blue\"", "from→to as asked");
        using var first = JsonDocument.Parse(await client.Http.GetStringAsync("/reload/api/handles/routes/diff?to=1"));
        first.RootElement.GetProperty("from").GetInt64().Should().Be(0);
        first.RootElement.GetProperty("changes").GetArrayLength().Should().Be(0, "v1 replaced nothing");
    }

    [Theory]
    [InlineData("/reload/api/handles/nope", HttpStatusCode.NotFound)]
    [InlineData("/reload/api/handles/routes/diff?to=99", HttpStatusCode.NotFound)]
    [InlineData("/reload/api/handles/routes/diff?from=0", HttpStatusCode.BadRequest)]
    [InlineData("/reload/api/handles/routes/diff?from=-1", HttpStatusCode.BadRequest)]
    [InlineData("/reload/api/handles/routes/diff?from=1e3", HttpStatusCode.BadRequest)]
    [InlineData("/reload/api/handles/routes/diff?from=99999999999999999999", HttpStatusCode.BadRequest)]
    [InlineData("/reload/api/fleet/nope", HttpStatusCode.NotFound)]
    [InlineData("/reload/api/fleet/routes?configId=xyz", HttpStatusCode.BadRequest)]
    [InlineData("/reload/api/fleet/routes?revision=abc", HttpStatusCode.BadRequest)]
    [InlineData("/reload/api/fleet/routes?revision=1&configId=0123456789abcdef", HttpStatusCode.BadRequest)]
    public async Task Bad_reads_get_a_problem_with_a_reason(string path, HttpStatusCode expected)
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.Client();

        using var response = await client.Http.GetAsync(path);

        response.StatusCode.Should().Be(expected);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("detail").GetString().Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Every_response_is_not_sniffed_not_framed_and_not_cached_and_the_page_allows_only_its_own_scripts()
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.Client();

        foreach (var path in new[] { "/reload/", "/reload/api/handles", "/reload/api/handles/routes", "/reload/api/handles/nope" })
        {
            using var response = await client.Http.GetAsync(path);
            response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
            response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
            response.Headers.CacheControl!.NoStore.Should().BeTrue(path);
        }

        using var page = await client.Http.GetAsync("/reload/");
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        page.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("script-src 'self'").And.Contain("frame-ancestors 'none'").And.NotContain("unsafe-inline");
        var html = await page.Content.ReadAsStringAsync();
        html.Should().NotContain("<script>", "no inline script: the CSP forbids it").And.NotContain("http://", "no CDN or other origin");
        foreach (var asset in new[] { "dashboard.js", "dashboard.css" })
        {
            html.Should().Contain($"/reload/assets/{asset}?v=");
            using var served = await client.Http.GetAsync($"/reload/assets/{asset}");
            served.StatusCode.Should().Be(HttpStatusCode.OK);
            (await served.Content.ReadAsStringAsync()).Should().NotContain("http://").And.NotContain("https://");
        }
    }
}
