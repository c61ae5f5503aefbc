using ReloadHandle.TestShared;

namespace ReloadHandle.AspNetCore.Tests;

public class PublicApiTests
{
    [Fact]
    public void The_public_api_is_the_approved_one() => PublicApiApproval.Verify(typeof(ReloadHandlesEndpointOptions).Assembly, "ReloadHandle.AspNetCore.Tests");
}
