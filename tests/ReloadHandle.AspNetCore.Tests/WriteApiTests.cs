using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace ReloadHandle.AspNetCore.Tests;

/// <summary>Rollback and re-read: mapped only behind the write policy, POST with antiforgery only, logged and traced.</summary>
public sealed class WriteApiTests
{
    [Fact]
    public async Task An_operator_with_the_pages_token_rolls_back_to_a_version_and_it_is_logged_and_traced()
    {
        await using var app = await TestApp.StartAsync();
        await app.EditRoutesAsync(Json.Routes("green", app.Canary), ReloadOutcome.Applied);
        using var client = app.Client("ops");
        using var spans = new SpanRecorder();

        using var response = await client.PostAsync("/reload/api/handles/routes/rollback", """{"version":1}""");

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("outcome").GetString().Should().Be("Applied");
        body.RootElement.GetProperty("version").GetInt64().Should().Be(3);
        body.RootElement.GetProperty("configId").GetString().Should().Be(app.Routes.History[^1].ConfigId, "v3 has v1's content");
        app.Routes.Current.Version.Should().Be(3);
        app.Routes.Current.Trigger.Should().Be(ReloadTrigger.Rollback);
        app.Routes.Current.Value.Routes[0].Cluster.Should().Be("blue");

        app.Logs.Lines.Should().Contain(l => l.Contains("[201]") && l.Contains("Operator ops (127.0.0.1) rolled back handle routes to version 1: Applied, v3 serving"));
        var credentials = TestAuthentication.Header("ops", TestAuthentication.OperatorPassword)["Basic ".Length..];
        app.Logs.Lines.Should().NotContain(l => l.Contains(TestAuthentication.OperatorPassword) || l.Contains(credentials));
        var admin = spans.Completed.Should().ContainSingle(a => a.OperationName == "reload.admin").Subject;
        admin.GetTagItem("user.name").Should().Be("ops");
        admin.GetTagItem("reload.admin.action").Should().Be("rollback");
        admin.GetTagItem("reload.admin.target").Should().Be("version 1");
        admin.GetTagItem("reload.outcome").Should().Be("applied");
        spans.Completed.Should().Contain(a => a.OperationName == "reload" && a.ParentSpanId == admin.SpanId, "the rollback's reload span is the admin span's child");
        spans.Completed.SelectMany(a => a.TagObjects).Should().NotContain(t => (t.Value as string ?? "").Contains(TestAuthentication.OperatorPassword));
    }

    [Fact]
    public async Task Rollback_by_config_id_and_refusals_for_unknown_versions_and_ids()
    {
        await using var app = await TestApp.StartAsync();
        var v1 = app.Routes.Current.ConfigId!;
        await app.EditRoutesAsync(Json.Routes("green", app.Canary), ReloadOutcome.Applied);
        using var client = app.Client("ops");

        using (var byId = await client.PostAsync("/reload/api/handles/routes/rollback", $$"""{"configId":"{{v1[..10]}}"}"""))
        {
            byId.StatusCode.Should().Be(HttpStatusCode.OK);
            app.Routes.Current.ConfigId.Should().Be(v1);
        }

        (await client.PostAsync("/reload/api/handles/routes/rollback", """{"version":42}""")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.PostAsync("/reload/api/handles/routes/rollback", """{"configId":"00000000deadbeef"}""")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.PostAsync("/reload/api/handles/nope/rollback", """{"version":1}""")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreach (var bad in new[] { "", "[]", "{}", """{"version":0}""", """{"version":"1"}""", """{"version":1,"configId":"0123456789abcdef"}""", """{"configId":"short"}""", """{"other":1}""", "{" })
        {
            using var response = await client.PostAsync("/reload/api/handles/routes/rollback", bad);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, $"body {bad}");
        }

        using var huge = await client.PostAsync("/reload/api/handles/routes/rollback", "{\"version\":" + new string('1', 10_000) + "}");
        huge.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Refresh_reads_the_source_again_and_answers_with_the_handle()
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.Client("ops");

        using var response = await client.PostAsync("/reload/api/handles/routes/refresh", null);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("completed").GetBoolean().Should().BeTrue();
        body.RootElement.GetProperty("action").GetString().Should().Be("refresh");
        body.RootElement.GetProperty("state").GetProperty("name").GetString().Should().Be("routes");
        app.Logs.Lines.Should().Contain(l => l.Contains("[203]") && l.Contains("Operator ops") && l.Contains("the source answered"));
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("viewer", HttpStatusCode.Forbidden)]
    public async Task Writes_without_the_policy_are_refused_before_anything_runs(string? user, HttpStatusCode expected)
    {
        await using var app = await TestApp.StartAsync();
        await app.EditRoutesAsync(Json.Routes("green", app.Canary), ReloadOutcome.Applied);
        using var client = app.Client(user);

        foreach (var path in new[] { "/reload/api/handles/routes/rollback", "/reload/api/handles/routes/refresh" })
        {
            using var response = await client.PostAsync(path, """{"version":1}""", withToken: false);
            response.StatusCode.Should().Be(expected, path);
        }

        app.Routes.Current.Version.Should().Be(2, "nothing was rolled back");
        var page = await client.Http.GetStringAsync("/reload/");
        page.Should().Contain("data-writes=\"false\"", "the page offers no rollback to this caller").And.Contain("data-token=\"\"");
    }

    [Fact]
    public async Task An_operators_write_without_the_antiforgery_token_or_with_another_users_token_is_refused()
    {
        await using var app = await TestApp.StartAsync();
        await app.EditRoutesAsync(Json.Routes("green", app.Canary), ReloadOutcome.Applied);
        using var client = app.Client("ops");

        using (var noToken = await client.PostAsync("/reload/api/handles/routes/rollback", """{"version":1}""", withToken: false))
        {
            noToken.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await noToken.Content.ReadAsStringAsync()).Should().Contain("Antiforgery token missing or invalid");
        }

        var (token, header) = await client.AntiforgeryAsync();
        using var otherBrowser = app.Client("ops"); // right header, but not the cookie it belongs to (a forged cross-site request)
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/reload/api/handles/routes/rollback") { Content = new StringContent("""{"version":1}""") };
        forged.Headers.TryAddWithoutValidation(header, token);
        (await otherBrowser.Http.SendAsync(forged)).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        using var get = await client.Http.GetAsync("/reload/api/handles/routes/rollback");
        get.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed, "writes are POST only");
        app.Routes.Current.Version.Should().Be(2);
        app.Logs.Lines.Count(l => l.Contains("[204]") && l.Contains("antiforgery")).Should().Be(2);
    }

    [Fact]
    public async Task Without_a_write_policy_no_write_endpoint_exists()
    {
        await using var app = await TestApp.StartAsync(new AppSetup(Writes: false));
        using var client = app.Client("ops");

        foreach (var path in new[] { "/reload/api/handles/routes/rollback", "/reload/api/handles/routes/refresh" })
        {
            using var post = await client.PostAsync(path, """{"version":1}""", withToken: false);
            post.StatusCode.Should().BeOneOf(HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed);
        }

        using var document = JsonDocument.Parse(await client.Http.GetStringAsync("/reload/api/handles"));
        document.RootElement.GetProperty("writes").GetBoolean().Should().BeFalse();
        (await client.Http.GetStringAsync("/reload/")).Should().Contain("data-writes=\"false\"");
    }

    [Fact]
    public async Task A_read_policy_on_the_group_guards_the_page_and_the_api()
    {
        await using var app = await TestApp.StartAsync(new AppSetup(ReadPolicy: true));
        using var anonymous = app.Client();
        using var viewer = app.Client("viewer");

        foreach (var path in new[] { "/reload/", "/reload/api/handles", "/reload/api/events", "/reload/assets/dashboard.js" })
        {
            using var response = await anonymous.Http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, path);
        }

        using var allowed = await viewer.Http.GetAsync("/reload/api/handles");
        allowed.StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
