using ReloadHandle.TestShared;

namespace ReloadHandle.Sources.Consul.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_api_is_the_approved_one() => PublicApiApproval.Verify(typeof(ConsulSourceOptions).Assembly, "ReloadHandle.Sources.Consul.Tests");
}
