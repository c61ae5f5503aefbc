using Microsoft.Extensions.DependencyInjection;
using ReloadHandle.Testing;

namespace ReloadHandle.Hosting.Tests;

/// <summary>
/// One service collection built into two providers (a test host and the app, say) gives two handles, each with a
/// source of its own: a source is made per handle from its factory, never shared between two enumerations.
/// </summary>
public sealed class SourcePerProviderTests
{
    [Fact]
    public async Task Two_providers_from_one_collection_get_two_sources_that_both_follow_the_store()
    {
        using var folder = new TempDirectory();
        var path = Path.Combine(folder.Path, "gateway.json");
        await File.WriteAllTextAsync(path, Json.Gateway("https://a", 5));
        var services = new ServiceCollection();
        services.AddReloadable<Gateway>().FromFile(path);

        await using var first = services.BuildServiceProvider();
        await using var second = services.BuildServiceProvider();
        var one = first.GetRequiredService<ReloadHandle<Gateway>>();
        var other = second.GetRequiredService<ReloadHandle<Gateway>>();
        await one.StartAsync();
        await other.StartAsync();

        await File.WriteAllTextAsync(path, Json.Gateway("https://b", 5));
        (await one.WaitForVersionAsync(2).WaitAsync(Wait.Timeout)).Value.Upstream.Should().Be("https://b");
        (await other.WaitForVersionAsync(2).WaitAsync(Wait.Timeout)).Value.Upstream.Should().Be("https://b");

        await one.DisposeAsync();
        await File.WriteAllTextAsync(path, Json.Gateway("https://c", 5));
        (await other.WaitForVersionAsync(3).WaitAsync(Wait.Timeout)).Value.Upstream.Should().Be("https://c", "disposing one provider's handle leaves the other's source running");
    }

    [Fact]
    public async Task A_source_instance_registered_once_serves_only_the_first_provider_and_the_second_fails_clearly()
    {
        var services = new ServiceCollection();
        services.AddReloadable<Gateway>().FromSource(new ManualSource(Json.Gateway("https://a", 5)));

        await using var first = services.BuildServiceProvider();
        await using var second = services.BuildServiceProvider();
        first.GetRequiredService<ReloadHandle<Gateway>>().Should().NotBeNull();
        var resolve = () => second.GetRequiredService<ReloadHandle<Gateway>>();
        resolve.Should().Throw<InvalidOperationException>().WithMessage("*already serves a handle*FromSource(context => new MySource(...))*");
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("reloadhandle-hosting-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
