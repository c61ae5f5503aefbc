using ReloadHandle.TestShared;

namespace ReloadHandle.Sources.File.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_api_is_the_approved_one() => PublicApiApproval.Verify(typeof(FileSourceOptions).Assembly, "ReloadHandle.Sources.File.Tests");
}
