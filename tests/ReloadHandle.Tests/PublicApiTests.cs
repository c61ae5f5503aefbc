using ReloadHandle.TestShared;

namespace ReloadHandle.Tests;

public class PublicApiTests
{
    [Fact]
    public void The_core_public_api_is_the_approved_one() => PublicApiApproval.Verify(typeof(ReloadHandle<>).Assembly, "ReloadHandle.Tests");

    [Fact]
    public void The_testing_kit_public_api_is_the_approved_one() => PublicApiApproval.Verify(typeof(Testing.ManualSource).Assembly, "ReloadHandle.Tests");
}
