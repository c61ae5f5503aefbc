using LlmGateway;

namespace Samples.LlmGateway.Tests;

/// <summary>The README's command: <c>dotnet run --project samples/LlmGateway -- --demo</c>.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_passes_every_check()
    {
        (await Demo.RunAsync()).Should().Be(0);
    }
}
