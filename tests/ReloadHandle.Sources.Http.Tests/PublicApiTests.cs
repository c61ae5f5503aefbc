using ReloadHandle.TestShared;

namespace ReloadHandle.Sources.Http.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_api_is_the_approved_one() => PublicApiApproval.Verify(typeof(HttpSourceOptions).Assembly, "ReloadHandle.Sources.Http.Tests");
}
