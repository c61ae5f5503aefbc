using System.Text;
using System.Text.Json;
using ReloadHandle.Decoding;
using ReloadHandle.Sources;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests.Holes;

/// <summary>
/// What the default decoder accepts and refuses (docs/payload-format.md). A <c>null</c> for a non-nullable member used
/// to go live and turn every later request into a NullReferenceException; it is now refused, naming the JSON path.
/// </summary>
public sealed class PayloadFormatTests
{
    [Fact]
    public async Task Null_for_a_non_nullable_member_is_rejected_naming_the_path()
    {
        await using var handle = Build<Gateway>();
        (await handle.ApplyChangeAsync(Change("""{"upstreams":{"a":"k"},"prompt":"hi"}"""))).IsApplied.Should().BeTrue();

        var result = await handle.ApplyChangeAsync(Change("""{"upstreams":null,"prompt":"hi"}"""));

        result.Outcome.Should().Be(ReloadOutcome.Rejected);
        result.Errors.Should().ContainSingle().Which.Should().Contain("$.upstreams").And.Contain("null");
        handle.Current.Value.Upstreams.Should().ContainKey("a", "the last good value keeps serving");
    }

    [Fact]
    public async Task A_missing_required_constructor_parameter_is_rejected_naming_it()
    {
        await using var handle = Build<Window>();
        var result = await handle.ApplyChangeAsync(Change("""{"from":1}"""));
        result.Outcome.Should().Be(ReloadOutcome.Rejected);
        result.Errors.Single().Should().Contain("'to'");
    }

    [Fact]
    public async Task Duplicate_property_names_are_rejected()
    {
        await using var handle = Build<Window>();
        var result = await handle.ApplyChangeAsync(Change("""{"from":1,"to":5,"to":2}"""));
        result.Outcome.Should().Be(ReloadOutcome.Rejected);
        result.Errors.Single().Should().Contain("Duplicate").And.Contain("to");
    }

    [Fact]
    public async Task Enum_names_numbers_comments_trailing_commas_and_a_bom_are_accepted()
    {
        await using var handle = Build<Mode>();
        var payload = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""
            {
              // how to expire
              "kind": "Absolute",
              "fallback": 0,
            }
            """)).ToArray();
        var result = await handle.ApplyChangeAsync(new SourceChange(payload));
        result.IsApplied.Should().BeTrue(string.Join("; ", result.Errors));
        handle.Current.Value.Should().Be(new Mode(Expiry.Absolute, Expiry.Sliding));
    }

    [Fact]
    public async Task Nesting_deeper_than_the_limit_is_rejected()
    {
        await using var handle = Build<JsonElement>();
        var deep = new string('[', JsonPayloadOptions.DefaultMaxDepth + 1) + new string(']', JsonPayloadOptions.DefaultMaxDepth + 1);
        var result = await handle.ApplyChangeAsync(Change(deep));
        result.Outcome.Should().Be(ReloadOutcome.Rejected);
        result.Errors.Single().Should().Contain("depth");
    }

    [Fact]
    public async Task A_throwing_validator_is_named_by_its_registration_not_by_an_adapter_type()
    {
        // With null checks off (the user's own options), a rule meets the null it did not expect.
        var lenient = JsonPayloadOptions.CreateDefault();
        lenient.RespectNullableAnnotations = false;
        await using var handle = new ReloadHandleBuilder<Gateway>(HandleNames.Unique("gw"))
            .UseDecoder(new JsonPayloadDecoder<Gateway>(lenient))
            .Validate(g => g.Upstreams.Count > 0, "at least one upstream")
            .Validate((g, errors) => { if (g.Upstreams.ContainsKey("x")) { errors.Add("x is reserved"); } })
            .Build();

        var result = await handle.ApplyChangeAsync(Change("""{"upstreams":null,"prompt":"hi"}"""));

        result.Errors.Should().Contain(e => e.StartsWith("validator 'at least one upstream' threw NullReferenceException", StringComparison.Ordinal));
        result.Errors.Should().Contain(e => e.StartsWith("validator '(g, errors) => { if (g.Upstreams.ContainsKey(\"x\"))", StringComparison.Ordinal) && e.Contains("…' threw NullReferenceException", StringComparison.Ordinal), "a long delegate is named by its first 80 characters, on one line");
        result.Errors.Should().NotContain(e => e.Contains("DelegateValidator", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_validator_class_is_named_by_its_type_or_its_description()
    {
        await using var handle = new ReloadHandleBuilder<Window>(HandleNames.Unique("w"))
            .Validate(new ExplodingValidator())
            .Validate(new ExplodingValidator(), "the window rule")
            .Build();
        var result = await handle.ApplyChangeAsync(Change("""{"from":1,"to":2}"""));
        result.Errors.Should().Equal(
            "validator 'ExplodingValidator' threw InvalidOperationException: boom",
            "validator 'the window rule' threw InvalidOperationException: boom");
    }

    private static ReloadHandle<T> Build<T>() => new ReloadHandleBuilder<T>(HandleNames.Unique("payload")).Build();

    private static SourceChange Change(string json) => new(Encoding.UTF8.GetBytes(json));

    public sealed record Gateway(Dictionary<string, string> Upstreams, string Prompt);

    public sealed record Window(int From, int To);

    public enum Expiry
    {
        Sliding,
        Absolute,
    }

    public sealed record Mode(Expiry Kind, Expiry Fallback);

    private sealed class ExplodingValidator : Validation.IReloadValidator<Window>
    {
        public void Validate(Window candidate, ICollection<string> errors) => throw new InvalidOperationException("boom");
    }
}
