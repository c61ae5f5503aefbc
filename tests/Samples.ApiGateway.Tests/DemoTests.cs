using ApiGateway;

namespace Samples.ApiGateway.Tests;

/// <summary>The README's main command: <c>dotnet run --project samples/ApiGateway -c Release -- --demo</c>.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_passes_every_check()
    {
        (await Demo.RunAsync()).Should().Be(0);
    }
}
