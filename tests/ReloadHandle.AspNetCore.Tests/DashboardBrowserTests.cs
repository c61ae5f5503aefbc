using OpenQA.Selenium;
using ReloadHandle.Fleet;
using ReloadHandle.TestShared;

namespace ReloadHandle.AspNetCore.Tests;

/// <summary>
/// The dashboard in a real browser: a reload, a rejection and a rollback show without a page reload; an anonymous
/// visitor gets no rollback button and is refused if they post anyway. With RELOADHANDLE_UPDATE_SCREENSHOT=1 it saves
/// docs/images/dashboard.png.
/// </summary>
public sealed class DashboardBrowserTests
{
    [Fact]
    public async Task An_operator_sees_reloads_and_rejections_live_and_rolls_back_with_a_click()
    {
        await using var app = await TestApp.StartAsync();
        await PublishOtherInstancesAsync(app, app.Routes.Current.ConfigId!);
        using var browser = Browser.Start(TestAuthentication.Header("ops", TestAuthentication.OperatorPassword));
        browser.Driver.Navigate().GoToUrl(app.DashboardUrl);
        browser.Until(d => d.FindElement(By.CssSelector("#live.on")), "the event stream connected");
        browser.Until(d => Card(d, "routes").GetAttribute("data-version") == "1", "routes v1");
        browser.Script("window.sameDocument = 'yes';"); // gone if the page reloads

        // A valid edit: the new version and its diff appear.
        await app.EditRoutesAsync(Json.Routes("green", app.Canary), ReloadOutcome.Applied);
        browser.Until(d => Card(d, "routes").GetAttribute("data-version") == "2", "routes v2 on its card");
        var change = browser.Until(d => d.FindElement(By.CssSelector("#diff tr[data-path='$.routes[0].cluster']")), "the diff of v2");
        change.FindElement(By.CssSelector("td.before")).Text.Should().Be("\"blue\"");
        change.FindElement(By.CssSelector("td.after")).Text.Should().Be("\"green\"");
        browser.Driver.FindElement(By.Id("diff-title")).Text.Should().Be("Changes v1 → v2");

        // An invalid edit: the rejection shows, v2 stays live.
        await app.EditRoutesAsync(Json.Routes("red", app.Canary), ReloadOutcome.Rejected);
        var rejected = browser.Until(d => d.FindElement(By.CssSelector("#attempt-list li[data-outcome='Rejected'][data-handle='routes']")), "the rejected attempt");
        rejected.Text.Should().Contain("cluster 'red' is not defined");
        browser.Until(d => Card(d, "routes").GetAttribute("data-state") == "Degraded", "routes degraded");
        Card(browser.Driver, "routes").GetAttribute("data-version").Should().Be("2", "the last good version keeps serving");
        Card(browser.Driver, "routes").FindElement(By.CssSelector(".error")).Text.Should().Contain("cluster 'red' is not defined");
        browser.Driver.FindElement(By.CssSelector("#history tr[data-version='2'] .live-marker")).Text.Should().Be("live");

        // Roll back to v1: two clicks (the second confirms), then v3 with v1's content is live.
        browser.Driver.FindElement(By.CssSelector("button[data-rollback='1']")).Click();
        browser.Until(d => d.FindElement(By.CssSelector("button[data-rollback='1'].confirm")), "the confirm button").Click();
        browser.Until(d => Card(d, "routes").GetAttribute("data-version") == "3", "routes v3 after the rollback");
        browser.Until(d => d.FindElement(By.CssSelector("#history tr[data-version='3']")).Text.Contains("rollback", StringComparison.Ordinal), "v3 triggered by rollback");
        app.Routes.Current.Version.Should().Be(3);
        app.Routes.Current.Trigger.Should().Be(ReloadTrigger.Rollback);
        app.Routes.Current.Value.Routes[0].Cluster.Should().Be("blue");
        browser.Until(d => d.FindElements(By.CssSelector("#fleet-table tr[data-drift='Rejected']")).Count == 1, "the fleet's NACKing instance");
        browser.Script("return window.sameDocument;").Should().Be("yes", "nothing reloaded the page");
        browser.Driver.PageSource.Should().NotContain(app.Canary);

        SaveScreenshotWhenAsked(browser);
    }

    [Fact]
    public async Task An_anonymous_visitor_gets_no_rollback_button_and_a_post_from_the_page_is_refused()
    {
        await using var app = await TestApp.StartAsync();
        await app.EditRoutesAsync(Json.Routes("green", app.Canary), ReloadOutcome.Applied);
        using var browser = Browser.Start(authorization: null);
        browser.Driver.Navigate().GoToUrl(app.DashboardUrl);
        browser.Until(d => d.FindElement(By.CssSelector("#history tr[data-version='1']")), "the history");

        browser.Driver.FindElements(By.CssSelector("button[data-rollback]")).Should().BeEmpty();
        browser.Driver.FindElements(By.Id("refresh")).Should().BeEmpty();
        browser.Driver.FindElement(By.Id("mode")).Text.Should().Be("read only");
        var status = browser.Driver.ExecuteAsyncScript("""
            const done = arguments[arguments.length - 1];
            // credentials 'omit': a 401 with a basic challenge would otherwise open the browser's login prompt
            fetch(document.body.dataset.base + '/api/handles/routes/rollback', { method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' }, body: '{"version":1}' })
              .then(r => done(r.status), e => done(String(e)));
            """);
        status.Should().Be(401L);
        app.Routes.Current.Version.Should().Be(2);
    }

    private static IWebElement Card(IWebDriver driver, string handle) => driver.FindElement(By.CssSelector($"article.card[data-handle='{handle}']"));

    /// <summary>Three other instances of this gateway: one on the same config, one that rejected it, one behind.</summary>
    private static async Task PublishOtherInstancesAsync(TestApp app, string configId)
    {
        var now = DateTimeOffset.UtcNow;
        FleetEntry Entry(string instance, FleetStatus status, string state, long version, string live, string attempted, string? error) => new()
        {
            Handle = "routes", Instance = instance, Status = status, State = state, AppliedVersion = version, ConfigId = live,
            AttemptedConfigId = attempted, LastError = error, UpdatedAt = now,
        };
        await app.Fleet!.PublishAsync(Entry("gw-eu-2", FleetStatus.Ack, "Healthy", 7, configId, configId, null), default);
        await app.Fleet.PublishAsync(Entry("gw-us-1", FleetStatus.Nack, "Degraded", 6, "5e1b07c2aa94d310", configId, "route 'orders': cluster 'blue' is not defined"), default);
        await app.Fleet.PublishAsync(Entry("gw-us-2", FleetStatus.Ack, "Healthy", 5, "5e1b07c2aa94d310", "5e1b07c2aa94d310", null), default);
    }

    private static void SaveScreenshotWhenAsked(Browser browser)
    {
        if (Environment.GetEnvironmentVariable("RELOADHANDLE_UPDATE_SCREENSHOT") != "1")
        {
            return;
        }

        var path = Path.Combine(Repository.Root, "docs", "images", "dashboard.png");
        browser.Script("window.scrollTo(0, 0); document.getElementById('toast').hidden = true;");
        browser.Driver.GetScreenshot().SaveAsFile(path);
    }
}
