using System.Diagnostics;
using ReloadHandle.TestShared;

namespace ReloadHandle.Docs.Tests;

public class ReadmeTests
{
    [Fact]
    public void The_readme_shows_the_compiled_example_verbatim()
    {
        var root = Repository.Root;
        var source = File.ReadAllLines(Path.Combine(root, "tests", "ReloadHandle.Docs.Tests", "ReadmeExample.cs"));
        var start = Array.FindIndex(source, l => l.Trim() == "// <readme>") + 1;
        var end = Array.FindIndex(source, l => l.Trim() == "// </readme>");
        var indent = source[start].Length - source[start].TrimStart().Length;
        var snippet = string.Join("\n", source[start..end].Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));

        var readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        readme.Should().Contain("```csharp\n" + snippet + "\n```", "README.md must show the example this project compiles and runs");
    }

    [Fact]
    public async Task The_readme_example_runs_against_a_real_file_and_tags_the_request_span()
    {
        var folder = Directory.CreateTempSubdirectory("reloadhandle-readme-");
        var previous = Environment.CurrentDirectory;
        using var listener = new ActivityListener { ShouldListenTo = _ => true, Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded };
        ActivitySource.AddActivityListener(listener);
        using var requests = new ActivitySource("readme.requests");
        try
        {
            // The only test in this project that changes the working directory; xunit runs a class's tests one at a time.
            Environment.CurrentDirectory = folder.FullName;
            await File.WriteAllTextAsync("routes.json", """{"routes":["/a","/b"]}""");
            using var request = requests.StartActivity("GET /")!;

            var snapshot = await ReadmeExample.RunAsync().WaitAsync(TimeSpan.FromSeconds(30));

            snapshot.Version.Should().Be(1);
            snapshot.Value.Routes.Should().Equal("/a", "/b");
            request.GetTagItem("config.routes.version").Should().Be(1L);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            folder.Delete(recursive: true);
        }
    }
}
