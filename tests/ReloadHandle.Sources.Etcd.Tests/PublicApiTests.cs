using ReloadHandle.TestShared;

namespace ReloadHandle.Sources.Etcd.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_api_is_the_approved_one() => PublicApiApproval.Verify(typeof(EtcdSourceOptions).Assembly, "ReloadHandle.Sources.Etcd.Tests");
}
