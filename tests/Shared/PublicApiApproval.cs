using System.Reflection;
using PublicApiGenerator;

namespace ReloadHandle.TestShared;

/// <summary>
/// Approval of a package's public API: any change must be deliberate. On a difference the test writes
/// <c>tests/&lt;project&gt;/PublicApi/&lt;assembly&gt;.received.txt</c> next to the approved file; review it and copy it over.
/// </summary>
internal static class PublicApiApproval
{
    public static void Verify(Assembly assembly, string testProject)
    {
        var api = assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            DenyNamespacePrefixes = [], // DI, health-check and OpenTelemetry extensions live in Microsoft.* / OpenTelemetry.* namespaces
            ExcludeAttributes =
            [
                "System.Runtime.CompilerServices.InternalsVisibleToAttribute",
                "System.Runtime.Versioning.TargetFrameworkAttribute",
                "System.Reflection.AssemblyMetadataAttribute",
                // Implementation details: they name compiler-generated state machines (<WatchAsync>d__20), not API.
                "System.Runtime.CompilerServices.AsyncIteratorStateMachineAttribute",
                "System.Runtime.CompilerServices.AsyncStateMachineAttribute",
                "System.Runtime.CompilerServices.IteratorStateMachineAttribute",
            ],
        }).ReplaceLineEndings("\n");
        var name = assembly.GetName().Name;
        var folder = Path.Combine(Repository.Root, "tests", testProject, "PublicApi");
        var approved = Path.Combine(folder, $"{name}.approved.txt");
        var received = Path.Combine(folder, $"{name}.received.txt");
        var expected = File.Exists(approved) ? File.ReadAllText(approved).ReplaceLineEndings("\n") : string.Empty;
        if (api == expected)
        {
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(received, api);
        api.Should().Be(expected, $"the public API of {name} changed: review {received} and, if intended, copy it over {approved}");
    }
}
