using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace ReloadHandle.AspNetCore.Tests;

/// <summary>
/// Debian's headless Chromium driven through its chromedriver (both installed by tests/run.sh): a new empty profile,
/// no network but 127.0.0.1 (background networking, component updates, sync and QUIC off). With
/// <c>authorization</c>, every request of the page — navigation, fetch, EventSource — carries that header, as a
/// browser that answered the basic-auth prompt would.
/// </summary>
internal sealed class Browser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";

    private readonly DirectoryInfo _profile;

    private Browser(ChromeDriver driver, DirectoryInfo profile) => (Driver, _profile) = (driver, profile);

    public ChromeDriver Driver { get; }

    public static Browser Start(string? authorization)
    {
        if (!File.Exists(ChromiumPath) || !File.Exists(DriverPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} or {DriverPath} is missing: tests/run.sh installs them (apt-get install -y chromium chromium-driver).");
        }

        var profile = Directory.CreateTempSubdirectory("reloadhandle-chromium-");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1440,1080", "--lang=en-GB",
            $"--user-data-dir={profile.FullName}");
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        if (authorization is not null)
        {
            driver.ExecuteCdpCommand("Network.enable", []);
            driver.ExecuteCdpCommand("Network.setExtraHTTPHeaders", new() { ["headers"] = new Dictionary<string, object> { ["Authorization"] = authorization } });
        }

        return new Browser(driver, profile);
    }

    /// <summary>Waits, up to <see cref="TestApp.Bound"/>, for a DOM condition; fails with <paramref name="what"/> and the page's text.</summary>
    public T Until<T>(Func<IWebDriver, T?> condition, string what)
    {
        var wait = new WebDriverWait(Driver, TestApp.Bound) { PollingInterval = TimeSpan.FromMilliseconds(50) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        try
        {
            return wait.Until(d => condition(d))!;
        }
        catch (WebDriverTimeoutException)
        {
            throw new TimeoutException($"the page did not show {what} within {TestApp.Bound.TotalSeconds} s; it shows: {Driver.FindElement(By.TagName("body")).Text}");
        }
    }

    public object? Script(string script, params object[] arguments) => Driver.ExecuteScript(script, arguments);

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        _profile.Delete(recursive: true);
    }
}
