using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ReloadHandle.Testing;

namespace ReloadHandle.Hosting.Tests;

/// <summary>
/// The same saves, through stock <see cref="IOptionsMonitor{TOptions}"/> over a JSON file with reloadOnChange, and
/// through the bridge over a handle. The same validation (<c>AddOptions().Validate(...)</c>) guards both.
/// </summary>
/// <remarks>
/// What stock options were observed to do here (Microsoft.Extensions.Configuration.Json and Options 10.0, Linux):
/// <list type="bullet">
/// <item>Saving the file with unchanged content fires <c>OnChange</c> with a value that did not change.</item>
/// <item>A save with a JSON syntax error blanks the file's keys in <see cref="IConfiguration"/> and raises no change:
/// <c>CurrentValue</c> keeps its cached value, but a new <see cref="IOptionsSnapshot{TOptions}"/> binds the blank
/// keys and throws <see cref="OptionsValidationException"/>.</item>
/// <item>A save that fails validation makes every <c>CurrentValue</c> read throw <see cref="OptionsValidationException"/>
/// until a valid save (dotnet/runtime#44381); its <c>OnChange</c> listeners are not called.</item>
/// <item>Saved atomically (temporary file, then rename), each save fired <c>OnChange</c> once in 12 of 12 runs. Saved
/// in place (truncate, then write), one save fired it twice in one of four runs, and once a reload read the file
/// between the truncate and the write: a load failure, blanking the keys, for a save of valid content.</item>
/// </list>
/// How many times one save fires <c>OnChange</c> depends on how many file-system events it raises, so the stock side
/// asserts "at least once" and saves atomically; the bridge side asserts "exactly once per version".
/// </remarks>
public sealed class OptionsBridgeSideBySideTests : IDisposable
{
    private static readonly string V1 = Json.Gateway("http://v1", 5);
    private static readonly string Malformed = """{"upstream":"http://broken", """;
    private static readonly string Invalid = Json.Gateway("http://invalid", 0);
    private static readonly string V2 = Json.Gateway("http://v2", 6);
    private static readonly string V3 = Json.Gateway("http://v3", 7);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("reloadhandle-hosting-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task Stock_options_monitor_over_a_json_file_loses_the_value_on_an_invalid_save()
    {
        var file = Path.Combine(_folder.FullName, "gateway.json");
        await SaveAsync(file, V1);
        var loadFailed = new SemaphoreSlim(0);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddJsonFile(source =>
        {
            source.FileProvider = new PhysicalFileProvider(_folder.FullName);
            source.Path = "gateway.json";
            source.ReloadOnChange = true;
            source.OnLoadException = _ => loadFailed.Release(); // observes only: Ignore stays false, as by default
        });
        builder.Services.AddOptions<Gateway>().Bind(builder.Configuration).Validate(g => g.TimeoutSeconds > 0, "the timeout must be positive").ValidateOnStart();
        using var host = builder.Build();
        await host.StartAsync();
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<Gateway>>();
        var heard = new OnChangeLog();
        using var listening = monitor.OnChange((g, _) => heard.Add(g.Upstream));
        monitor.CurrentValue.Upstream.Should().Be("http://v1");

        // A save that changes nothing still fires OnChange.
        await SaveAsync(file, V1);
        await Wait.UntilAsync(() => heard.Count >= 1, "OnChange fires for the unchanged save");
        heard.Values.Should().AllBe("http://v1");

        // A syntax error: the keys vanish from IConfiguration; the monitor is not told, so it serves a value that
        // no longer exists anywhere, while a new scope's snapshot binds the blank keys and fails validation.
        await SaveAsync(file, Malformed);
        (await loadFailed.WaitAsync(Wait.Timeout)).Should().BeTrue();
        builder.Configuration["upstream"].Should().BeNull();
        monitor.CurrentValue.Upstream.Should().Be("http://v1");
        using (var scope = host.Services.CreateScope())
        {
            scope.ServiceProvider.Invoking(s => s.GetRequiredService<IOptionsSnapshot<Gateway>>().Value)
                .Should().Throw<OptionsValidationException>().WithMessage("the timeout must be positive");
        }

        // An invalid value: the last good value is gone; every read throws until a valid save.
        var heardBefore = heard.Count;
        await SaveAsync(file, Invalid);
        await Wait.UntilAsync(() => Throws(() => monitor.CurrentValue), "CurrentValue throws after the invalid save");
        monitor.Invoking(m => m.CurrentValue).Should().Throw<OptionsValidationException>().WithMessage("the timeout must be positive");
        heard.Count.Should().Be(heardBefore, "listeners are not called for a value that failed validation");

        // A valid save brings it back.
        await SaveAsync(file, V2);
        await Wait.UntilAsync(() => heard.Values.Contains("http://v2"), "OnChange fires for v2");
        monitor.CurrentValue.Upstream.Should().Be("http://v2");
        await host.StopAsync();
    }

    [Fact]
    public async Task Bridged_options_keep_serving_the_last_good_value_and_fire_once_per_version()
    {
        var source = new ManualSource(V1);
        using var host = TestHost.Build(s =>
        {
            s.AddOptions<Gateway>().Validate(g => g.TimeoutSeconds > 0, "the timeout must be positive");
            s.AddReloadable<Gateway>().FromSource(source).BridgeToOptions();
        });
        await host.StartAsync();
        var handle = host.Services.GetRequiredService<IReloadable<Gateway>>();
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<Gateway>>();
        var heard = new OnChangeLog();
        using var listening = monitor.OnChange((g, name) => heard.Add($"{g.Upstream} ({name})"));
        monitor.CurrentValue.Upstream.Should().Be("http://v1");

        // A save that changes nothing makes no version, so no change.
        var unchanged = Wait.ForAsync(handle.Attempts, a => a.Trigger == ReloadTrigger.Watch, "the unchanged save is attempted");
        source.Set(V1);
        (await unchanged).Outcome.Should().Be(ReloadOutcome.Unchanged);

        // A syntax error is rejected; every view keeps the last good value.
        var malformed = Wait.ForAsync(handle.Attempts, a => a.Outcome == ReloadOutcome.Rejected, "the malformed save is rejected");
        source.Set(Malformed);
        (await malformed).Errors.Should().ContainSingle().Which.Should().StartWith("the payload could not be decoded");
        AssertServing("http://v1");

        // An invalid value is rejected by the same IValidateOptions the stock side uses.
        var invalid = Wait.ForAsync(handle.Attempts, a => a.Outcome == ReloadOutcome.Rejected && a.Errors.Contains("the timeout must be positive"), "the invalid save is rejected for its timeout");
        source.Set(Invalid);
        await invalid;
        AssertServing("http://v1");
        heard.Count.Should().Be(0, "nothing new went live");

        // Each applied version is heard once, in order; the options name of a handle added without a name is "".
        source.Set(V2);
        await Wait.UntilAsync(() => heard.Count >= 1, "OnChange fires for v2");
        source.Set(V3);
        await Wait.UntilAsync(() => heard.Count >= 2, "OnChange fires for v3");
        heard.Values.Should().Equal("http://v2 ()", "http://v3 ()");
        handle.Current.Version.Should().Be(3);
        AssertServing("http://v3");
        await host.StopAsync();

        void AssertServing(string upstream)
        {
            monitor.CurrentValue.Upstream.Should().Be(upstream);
            using var scope = host.Services.CreateScope();
            scope.ServiceProvider.GetRequiredService<IOptionsSnapshot<Gateway>>().Value.Upstream.Should().Be(upstream);
        }
    }

    /// <summary>
    /// Saves atomically (write a temporary file, then rename it over the old one), so the provider never reads a
    /// half-written file: an in-place write is a truncate then a write, and a reload between the two reads an empty
    /// file — a parse error of its own, which made this test's steps race.
    /// </summary>
    private static async Task SaveAsync(string file, string content)
    {
        var temporary = file + ".tmp";
        await File.WriteAllTextAsync(temporary, content);
        File.Move(temporary, file, overwrite: true);
    }

    private static bool Throws(Func<object> read)
    {
        try
        {
            read();
            return false;
        }
        catch (OptionsValidationException)
        {
            return true;
        }
    }

    private sealed class OnChangeLog
    {
        private readonly List<string> _values = [];

        public int Count
        {
            get
            {
                lock (_values)
                {
                    return _values.Count;
                }
            }
        }

        public IReadOnlyList<string> Values
        {
            get
            {
                lock (_values)
                {
                    return [.. _values];
                }
            }
        }

        public void Add(string value)
        {
            lock (_values)
            {
                _values.Add(value);
            }
        }
    }
}
