using System.Runtime.CompilerServices;
using PublicApiGenerator;

namespace ReloadHandle.Sources.Consul.Tests;

public sealed class PublicApiTests
{
    /// <summary>
    /// Any change to the public API shows up here. If it is intended, copy PublicApi.received.txt over
    /// PublicApi.approved.txt and commit it with the change.
    /// </summary>
    [Fact]
    public void The_public_API_is_the_approved_one()
    {
        var api = typeof(ConsulSourceOptions).Assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute", "System.Runtime.CompilerServices.InternalsVisibleToAttribute"],
        });
        var approved = Path.Combine(Folder(), "PublicApi.approved.txt");
        var received = Path.Combine(Folder(), "PublicApi.received.txt");
        if (File.Exists(approved) && File.ReadAllText(approved).ReplaceLineEndings() == api.ReplaceLineEndings())
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, api);
        Assert.Fail($"The public API changed; review {received} and, if intended, copy it over {approved}.");
    }

    private static string Folder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
