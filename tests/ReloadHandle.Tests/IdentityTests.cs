using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using ReloadHandle.Sources;
using ReloadHandle.Testing;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests;

/// <summary>
/// The config id is the content's identity: the same bytes give the same id in every handle, every process and after
/// every restart; the label and the publisher come from the publisher's metadata or the value. Both reach the reload
/// span, the request span, the log line and the one info gauge.
/// </summary>
public sealed class IdentityTests
{
    private static readonly string Payload = Routes.Json(1, "a", "b");

    [Fact]
    public async Task The_config_id_is_the_first_16_hex_digits_of_the_payloads_sha256_in_every_handle_and_after_a_restart()
    {
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Payload)))[..16];
        string?[] ids = new string?[3];
        for (var life = 0; life < 3; life++)
        {
            await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).FromSource(new ManualSource(Payload)).Build();
            await handle.StartAsync();
            ids[life] = handle.Current.ConfigId;
        }

        ids.Should().AllBe(expected);
        ConfigIdentity.Of(Encoding.UTF8.GetBytes(Payload)).Should().Be(expected);
    }

    [Fact]
    public async Task A_rollback_brings_back_the_id_of_the_content_it_restores_and_history_is_searched_by_id()
    {
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).Build();
        var first = (await handle.ApplyChangeAsync(Changes.Of(Payload))).Current!;
        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(2, "c")));

        handle.History.FindByConfigId(first.ConfigId!).Should().BeSameAs(first);
        handle.History.FindByConfigId(first.ContentHash![..10]).Should().BeSameAs(first, "a prefix of 8 or more digits is enough");
        handle.History.FindByConfigId("0000000000000000").Should().BeNull();

        var back = await handle.RollbackAsync(first.ConfigId!);
        back.IsApplied.Should().BeTrue();
        back.Current!.Version.Should().Be(3);
        back.Current!.ConfigId.Should().Be(first.ConfigId);
        (await handle.RollbackAsync("ffffffffffffffff")).Errors.Should().ContainSingle().Which.Should().Contain("config id ffffffffffffffff is not in the history");
    }

    [Fact]
    public async Task Label_and_publisher_come_from_the_writers_metadata_and_a_label_selector_wins()
    {
        var metadata = new Dictionary<string, string> { [SourceMetadataKeys.Label] = "v1.2.3", [SourceMetadataKeys.Publisher] = "deploy-bot" };
        await using var fromMetadata = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).Build();
        var applied = (await fromMetadata.ApplyChangeAsync(new SourceChange(Encoding.UTF8.GetBytes(Payload), "7", metadata))).Current!;
        applied.Label.Should().Be("v1.2.3");
        applied.Publisher.Should().Be("deploy-bot");

        await using var fromValue = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).Label(r => $"limit-{r.Limit}").Build();
        (await fromValue.ApplyChangeAsync(new SourceChange(Encoding.UTF8.GetBytes(Payload), "7", metadata))).Current!.Label.Should().Be("limit-1");

        await using var selectorGivesNone = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).Label(_ => null).Build();
        (await selectorGivesNone.ApplyChangeAsync(new SourceChange(Encoding.UTF8.GetBytes(Payload), "7", metadata))).Current!.Label.Should().Be("v1.2.3");

        await using var throwing = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).Label(_ => throw new InvalidOperationException("no")).Build();
        var result = await throwing.ApplyChangeAsync(Changes.Of(Payload));
        result.IsApplied.Should().BeTrue("a label selector that throws costs the label, not the reload");
        result.Current!.Label.Should().BeNull();
    }

    [Fact]
    public async Task Hostile_metadata_is_cut_to_one_printable_line()
    {
        var metadata = new Dictionary<string, string> { [SourceMetadataKeys.Label] = "  v1\r\nX-Injected: 1\u0000" + new string('z', 500), [SourceMetadataKeys.Publisher] = " \t " };
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).Build();
        var snapshot = (await handle.ApplyChangeAsync(new SourceChange(Encoding.UTF8.GetBytes(Payload), null, metadata))).Current!;
        snapshot.Label.Should().StartWith("v1??X-Injected: 1?zzz").And.HaveLength(128);
        snapshot.Publisher.Should().BeNull();
    }

    [Fact]
    public async Task Reload_and_request_spans_carry_id_label_and_publisher()
    {
        var name = HandleNames.Unique("routes");
        using var spans = new ReloadSpanCollector(name);
        await using var handle = new ReloadHandleBuilder<Routes>(name).Validate(r => r.Limit > 0, "limit must be positive").Build();
        var metadata = new Dictionary<string, string> { [SourceMetadataKeys.Label] = "v2", [SourceMetadataKeys.Publisher] = "ci" };
        var applied = (await handle.ApplyChangeAsync(new SourceChange(Encoding.UTF8.GetBytes(Payload), "r1", metadata))).Current!;
        var rejected = await handle.ApplyChangeAsync(new SourceChange(Encoding.UTF8.GetBytes(Routes.Json(0, "x")), "r2", metadata));

        spans.Spans[0].GetTagItem("reload.config.id").Should().Be(applied.ConfigId);
        spans.Spans[0].GetTagItem("reload.config.label").Should().Be("v2");
        spans.Spans[0].GetTagItem("reload.publisher").Should().Be("ci");
        rejected.ConfigId.Should().Be(ConfigIdentity.Of(Encoding.UTF8.GetBytes(Routes.Json(0, "x"))));
        spans.Spans[1].GetTagItem("reload.config.id").Should().Be(rejected.ConfigId, "a rejected candidate is named by its id too");

        using var request = new Activity("request").Start();
        request.TagConfigVersion(handle.Current);
        request.GetTagItem($"config.{name}.version").Should().Be(1L);
        request.GetTagItem($"config.{name}.id").Should().Be(applied.ConfigId);
        request.GetTagItem($"config.{name}.label").Should().Be("v2");
    }

    [Fact]
    public async Task The_applied_log_line_names_the_id_and_the_info_gauge_reports_the_live_id_only()
    {
        var name = HandleNames.Unique("routes");
        using var logs = new Logs();
        await using var handle = new ReloadHandleBuilder<Routes>(name).WithLoggerFactory(logs.Factory).Build();
        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(1, "a")));
        var live = (await handle.ApplyChangeAsync(Changes.Of(Payload))).Current!;

        logs.Records.Should().Contain(r => r.Message.Contains($"config id {live.ConfigId}", StringComparison.Ordinal));
        var measured = new List<(int Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ReloadTelemetry.MeterName && instrument.Name == ReloadTelemetry.Instruments.ConfigInfo)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            var all = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                all[tag.Key] = tag.Value;
            }

            if (all.GetValueOrDefault(ReloadTelemetry.Attributes.Handle) as string == name)
            {
                measured.Add((value, all));
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        measured.Should().ContainSingle("one series per handle: the live id").Which.Should().Match<(int Value, Dictionary<string, object?> Tags)>(m => m.Value == 1 && (string?)m.Tags[ReloadTelemetry.Attributes.ConfigId] == live.ConfigId);
    }
}
