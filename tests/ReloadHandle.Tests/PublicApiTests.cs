using PublicApiGenerator;

namespace ReloadHandle.Tests;

/// <summary>
/// The public API is a promise: any change to it must be deliberate. On a difference the test writes
/// <c>*.received.txt</c> next to the approved file; review it and copy it over the approved one.
/// </summary>
public class PublicApiTests
{
    [Theory]
    [InlineData(typeof(ReloadHandle<>), "ReloadHandle")]
    [InlineData(typeof(Testing.ManualSource), "ReloadHandle.Testing")]
    public void Public_api_matches_the_approved_one(Type anyType, string assemblyName)
    {
        var api = anyType.Assembly.GeneratePublicApi(new ApiGeneratorOptions { ExcludeAttributes = ["System.Runtime.CompilerServices.InternalsVisibleToAttribute", "System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute"] }).ReplaceLineEndings("\n");
        var folder = Path.Combine(Docs.CustomSourceDocTests.RepositoryRoot(), "tests", "ReloadHandle.Tests", "PublicApi");
        var approved = Path.Combine(folder, $"{assemblyName}.approved.txt");
        var received = Path.Combine(folder, $"{assemblyName}.received.txt");
        var expected = File.Exists(approved) ? File.ReadAllText(approved).ReplaceLineEndings("\n") : string.Empty;
        if (api != expected)
        {
            File.WriteAllText(received, api);
        }
        else if (File.Exists(received))
        {
            File.Delete(received);
        }

        api.Should().Be(expected, $"the public API of {assemblyName} changed: review {received} and, if intended, copy it over {approved}");
    }
}
