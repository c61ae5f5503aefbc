using Microsoft.Extensions.Time.Testing;
using MyApp.Configuration;
using ReloadHandle.TestShared;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests.Docs;

/// <summary>The custom source of docs/custom-source.md compiles, works, and is the one the page shows.</summary>
public class CustomSourceDocTests
{
    [Fact]
    public async Task The_environment_variable_source_from_the_docs_reloads_on_change()
    {
        var variable = "RELOADHANDLE_TEST_" + Guid.NewGuid().ToString("N");
        var time = new FakeTimeProvider();
        Environment.SetEnvironmentVariable(variable, Routes.Json(1, "a"));
        try
        {
            await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("env"))
                .FromSource(new EnvironmentVariableSource(variable, TimeSpan.FromSeconds(5), time))
                .WithTimeProvider(time)
                .Build();
            await handle.StartAsync().WaitAsync(Wait.Timeout);
            handle.Current.Value.Items.Should().Equal("a");
            handle.Source!.ToString().Should().Be($"env:{variable}");

            var live = Wait.ForAsync(handle.Changes, s => s.Value.Items[0] == "b", "the new value is live");
            Environment.SetEnvironmentVariable(variable, Routes.Json(1, "b"));
            time.Advance(TimeSpan.FromSeconds(5));
            (await live).Trigger.Should().Be(ReloadTrigger.Poll);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void The_page_shows_the_compiled_source_verbatim()
    {
        var root = Repository.Root;
        var code = File.ReadAllText(Path.Combine(root, "tests", "ReloadHandle.Tests", "Docs", "EnvironmentVariableSource.cs")).Trim();
        var page = File.ReadAllText(Path.Combine(root, "docs", "custom-source.md"));
        page.ReplaceLineEndings().Should().Contain(code.ReplaceLineEndings(), "docs/custom-source.md must show the tested source");
    }
}
