using ReloadHandle.TestShared;

namespace ReloadHandle.Hosting.Tests;

public class PublicApiTests
{
    [Fact]
    public void The_public_api_is_the_approved_one() => PublicApiApproval.Verify(typeof(ReloadableBuilder<>).Assembly, "ReloadHandle.Hosting.Tests");
}
