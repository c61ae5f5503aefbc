using System.Text.Json;
using System.Text.Json.Serialization;
using ReloadHandle.Decoding;
using ReloadHandle.Sources;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, MaxDepth = 8)]
[JsonSerializable(typeof(Routes))]
internal sealed partial class RoutesJsonContext : JsonSerializerContext;

public class DecodingTests
{
    [Fact]
    public async Task A_source_generated_JsonTypeInfo_decodes_and_its_depth_limit_applies()
    {
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).UseJson(RoutesJsonContext.Default.Routes).Build();

        (await handle.ApplyChangeAsync(Changes.Of(Routes.Json(7, "a", "b")))).Outcome.Should().Be(ReloadOutcome.Applied);
        handle.Current.Value.Should().BeEquivalentTo(new Routes(["a", "b"], 7));

        var tooDeep = await handle.ApplyChangeAsync(Changes.Of("""{"items":["a"],"limit":1,"x":[[[[[[[[[]]]]]]]]]}"""));
        tooDeep.Outcome.Should().Be(ReloadOutcome.Rejected);
        tooDeep.Errors.Single().Should().Contain("maximum configured depth of 8");
    }

    [Fact]
    public async Task A_custom_decoder_plugs_in_and_its_exceptions_become_rejections()
    {
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).UseDecoder(new CsvDecoder()).Build();

        (await handle.ApplyChangeAsync(Changes.Of("a,b"))).Outcome.Should().Be(ReloadOutcome.Applied);
        handle.Current.Value.Items.Should().Equal("a", "b");

        var bad = await handle.ApplyChangeAsync(Changes.Of(""));
        bad.Outcome.Should().Be(ReloadOutcome.Rejected);
        bad.Errors.Should().Equal("the payload could not be decoded: empty CSV");

        // Without an encoder, values applied by code are compared with Equals and carry no content hash.
        (await handle.ApplyAsync(new Routes(["x"]))).Current!.ContentHash.Should().BeNull();
        (await handle.ApplyAsync(handle.Current.Value)).Outcome.Should().Be(ReloadOutcome.Unchanged);
    }

    [Fact]
    public void The_default_json_decoder_is_lenient_about_comments_and_trailing_commas()
    {
#pragma warning disable IL2026, IL3050 // reflection JSON is what is being tested
        var decoder = new JsonPayloadDecoder<Routes>();
#pragma warning restore IL2026, IL3050
        var value = decoder.Decode("""
            {
              // routes served by the gateway
              "Items": ["a"],
              "limit": 3,
            }
            """u8.ToArray());
        value.Should().BeEquivalentTo(new Routes(["a"], 3));
        JsonSerializer.Deserialize<Routes>(decoder.Encode(value!), decoder.Options).Should().BeEquivalentTo(value);
    }

    private sealed class CsvDecoder : IPayloadDecoder<Routes>
    {
        public Routes? Decode(ReadOnlyMemory<byte> payload)
        {
            var text = System.Text.Encoding.UTF8.GetString(payload.Span);
            return text.Length == 0 ? throw new FormatException("empty CSV") : new Routes(text.Split(','));
        }
    }
}

public class PrefixDocumentTests
{
    private static (string, ReadOnlyMemory<byte>) Entry(string name, string value) => (name, System.Text.Encoding.UTF8.GetBytes(value));

    [Fact]
    public void Keys_under_a_prefix_become_one_json_object_embedding_json_values_and_quoting_the_rest()
    {
        var json = PrefixDocument.ComposeJson([Entry("limits", """{"rps":5}"""), Entry("banner", "hello \"world\""), Entry("empty", ""), Entry("n", "42"), Entry("two", "1 2")]);
        System.Text.Encoding.UTF8.GetString(json).Should().Be("""{"limits":{"rps":5},"banner":"hello \u0022world\u0022","empty":"","n":42,"two":"1 2"}""");
    }

    [Fact]
    public void The_base64_layout_keeps_binary_values_intact()
    {
        var bytes = new byte[] { 0, 255, 10 };
        var json = PrefixDocument.ComposeBase64([("cert", bytes)]);
        JsonSerializer.Deserialize<Dictionary<string, byte[]>>(json)!["cert"].Should().Equal(bytes);
    }
}
