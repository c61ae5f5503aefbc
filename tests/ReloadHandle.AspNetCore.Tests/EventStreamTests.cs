using System.Net;

namespace ReloadHandle.AspNetCore.Tests;

/// <summary>The live stream the dashboard follows.</summary>
public sealed class EventStreamTests
{
    [Fact]
    public async Task The_stream_starts_with_every_handle_then_sends_each_attempt_as_it_ends()
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.Client();
        await using var events = await EventStream.OpenAsync(client.Http);
        events.ContentType.Should().Be("text/event-stream");

        var first = await events.NextAsync("handles");
        first.GetProperty("handles").GetArrayLength().Should().Be(2);

        await app.EditRoutesAsync(Json.Routes("green", app.Canary), ReloadOutcome.Applied);
        var applied = await events.NextAsync("attempt", e => e.GetProperty("handle").GetString() == "routes");
        applied.GetProperty("outcome").GetString().Should().Be("Applied");
        applied.GetProperty("version").GetInt64().Should().Be(2);
        applied.GetProperty("state").GetProperty("current").GetProperty("version").GetInt64().Should().Be(2);

        await app.EditRoutesAsync(Json.Routes("red", app.Canary), ReloadOutcome.Rejected);
        var rejected = await events.NextAsync("attempt", e => e.GetProperty("outcome").GetString() == "Rejected");
        rejected.GetProperty("errors")[0].GetString().Should().Contain("cluster 'red' is not defined");
        rejected.GetProperty("version").GetInt64().Should().Be(2, "v2 keeps serving");
        rejected.GetProperty("state").GetProperty("state").GetString().Should().Be("Degraded");
    }

    [Fact]
    public async Task A_lease_that_ends_on_a_replaced_version_is_a_status_event()
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.Client();
        var lease = app.Routes.Lease();
        await app.EditRoutesAsync(Json.Routes("green", app.Canary), ReloadOutcome.Applied);
        await using var events = await EventStream.OpenAsync(client.Http);
        await events.NextAsync("handles");

        lease.Dispose();

        var status = await events.NextAsync("status", e => e.GetProperty("name").GetString() == "routes");
        status.GetProperty("current").GetProperty("version").GetInt64().Should().Be(2);
    }

    [Fact]
    public async Task Streams_end_when_the_app_stops()
    {
        var app = await TestApp.StartAsync();
        using var client = app.Client();
        await using var events = await EventStream.OpenAsync(client.Http);
        await events.NextAsync("handles");

        var stopping = app.DisposeAsync().AsTask();

        (await Task.WhenAny(stopping, Task.Delay(TestApp.Bound))).Should().BeSameAs(stopping, "an open stream must not hold up shutdown");
        await stopping;
    }

    [Fact]
    public async Task More_streams_than_allowed_are_refused_with_503()
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.Client();
        var open = new List<EventStream>();
        try
        {
            for (var i = 0; i < 64; i++)
            {
                open.Add(await EventStream.OpenAsync(client.Http));
            }

            using var refused = await client.Http.GetAsync("/reload/api/events", HttpCompletionOption.ResponseHeadersRead);
            refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            foreach (var stream in open)
            {
                await stream.DisposeAsync();
            }
        }
    }
}
