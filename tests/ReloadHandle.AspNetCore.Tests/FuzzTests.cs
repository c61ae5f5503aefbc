using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;

namespace ReloadHandle.AspNetCore.Tests;

/// <summary>
/// Every endpoint's inputs, fuzzed: random, huge, invalid-UTF-8 and null-laden names, versions, ids and bodies get a
/// clear 4xx (or a 2xx when they happen to be valid), never a 5xx; afterwards the handle still follows its file.
/// </summary>
public sealed class FuzzTests
{
    private const int Iterations = 120;

    /// <summary>A path segment or query value as sent: text, raw bytes (often invalid UTF-8), NULs, huge, or a real name.</summary>
    private static readonly Gen<string> Value = Gen.OneOf(
        Gen.String.Select(Escape),
        Gen.Byte.Array[0, 64].Select(EscapeBytes),
        Gen.Char['\0', '\u007f'].Array[0, 40].Select(chars => Escape(new string(chars))),
        Gen.Int[1, 30_000].Select(n => new string('9', n)),
        Gen.Int[1, 12_000].Select(n => EscapeBytes(Enumerable.Repeat((byte)0xFF, n).ToArray())),
        Gen.OneOfConst("routes", "limits", "1", "2", "0", "-1", "9223372036854775808", "%00", "%C0%AF", "..%2F..", "", "%", "%zz"));

    private static readonly Gen<byte[]> Body = Gen.OneOf(
        Gen.Byte.Array[0, 300],
        Gen.String.Select(s => Encoding.UTF8.GetBytes(s)),
        Gen.OneOfConst("""{"version":1}""", """{"version":null}""", """{"configId":"\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000"}""", "{\"version\":1,\"version\":2}", "\u0000", "null", "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]", """{"configId":"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}""")
            .Select(s => Encoding.UTF8.GetBytes(s)),
        Gen.Int[4000, 20_000].Select(n => Enumerable.Repeat((byte)'[', n).ToArray()),
        Gen.Byte.Array[1, 8].Select(prefix => prefix.Concat(new byte[] { 0xC3, 0x28, 0xFF }).ToArray()));

    [Fact]
    public async Task Reads_answer_every_input_with_a_clear_status_and_never_a_server_error()
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.Client();
        await app.EditRoutesAsync(Json.Routes("green", app.Canary), ReloadOutcome.Applied);

        await Gen.Select(Value, Value, Value).SampleAsync(async inputs =>
        {
            var (name, from, to) = inputs;
            await ExpectClearAsync(client.Http, HttpMethod.Get, $"/reload/api/handles/{name}", null);
            await ExpectClearAsync(client.Http, HttpMethod.Get, $"/reload/api/handles/{name}/diff?from={from}&to={to}", null);
            await ExpectClearAsync(client.Http, HttpMethod.Get, $"/reload/api/handles/routes/diff?from={from}&to={to}&from={to}", null);
            await ExpectClearAsync(client.Http, HttpMethod.Get, $"/reload/api/fleet/{name}?configId={from}", null);
            await ExpectClearAsync(client.Http, HttpMethod.Get, $"/reload/api/fleet/routes?revision={to}", null);
            await ExpectClearAsync(client.Http, HttpMethod.Get, $"/reload/?{name}={from}", null);
        }, iter: Iterations, threads: 1);

        await FollowsItsSourceAsync(app, client);
    }

    [Fact]
    public async Task Writes_answer_every_input_with_a_clear_status_and_never_a_server_error()
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.Client("ops");
        await app.EditRoutesAsync(Json.Routes("green", app.Canary), ReloadOutcome.Applied);
        var (token, header) = await client.AntiforgeryAsync();

        await Gen.Select(Value, Body, Gen.Bool).SampleAsync(async inputs =>
        {
            var (name, body, realHandle) = inputs;
            var target = realHandle ? "routes" : name;
            await ExpectClearAsync(client.Http, HttpMethod.Post, $"/reload/api/handles/{target}/rollback", body, (header, token));
            await ExpectClearAsync(client.Http, HttpMethod.Post, $"/reload/api/handles/{name}/refresh", body, (header, token));
            await ExpectClearAsync(client.Http, HttpMethod.Post, $"/reload/api/handles/{target}/rollback", body, (header, name));
        }, iter: Iterations, threads: 1);

        await FollowsItsSourceAsync(app, client);
    }

    private static async Task ExpectClearAsync(HttpClient http, HttpMethod method, string path, byte[]? body, (string Header, string Value)? token = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        }

        if (token is { } t)
        {
            request.Headers.TryAddWithoutValidation(t.Header, t.Value.Length > 4000 ? t.Value[..4000] : t.Value);
        }

        using var response = await http.SendAsync(request);
        var status = (int)response.StatusCode;
        status.Should().BeLessThan(500, $"{method} {Shorten(path)} with a body of {body?.Length ?? 0} bytes answered {status}: {Shorten(await response.Content.ReadAsStringAsync())}");
        if (status >= 400 && response.Content.Headers.ContentLength > 0 && response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            problem.RootElement.TryGetProperty("detail", out var detail).Should().BeTrue("a refusal says why");
            detail.GetString().Should().NotBeNullOrWhiteSpace();
        }
    }

    /// <summary>After the fuzzing, a good edit is applied and the API shows it.</summary>
    private static async Task FollowsItsSourceAsync(TestApp app, AdminClient client)
    {
        var applied = await app.EditRoutesAsync(Json.Routes("blue", "final-" + Guid.NewGuid().ToString("N"), catalog: "green"), ReloadOutcome.Applied);
        using var document = JsonDocument.Parse(await client.Http.GetStringAsync("/reload/api/handles/routes"));
        var current = document.RootElement.GetProperty("current");
        current.GetProperty("version").GetInt64().Should().Be(applied.Current!.Version);
        current.GetProperty("configId").GetString().Should().Be(applied.Current.ConfigId);
        current.GetProperty("trigger").GetString().Should().Be("Watch");
        document.RootElement.GetProperty("state").GetString().Should().Be("Healthy");
    }

    private static string Escape(string text) => EscapeBytes(Encoding.UTF8.GetBytes(text));

    /// <summary>Percent-encodes every byte but unreserved ASCII, so any byte sequence (valid UTF-8 or not) reaches the server as sent.</summary>
    private static string EscapeBytes(byte[] bytes)
    {
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
