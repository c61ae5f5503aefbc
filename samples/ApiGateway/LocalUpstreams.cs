using System.Globalization;

namespace ApiGateway;

/// <summary>
/// <c>--fake-upstreams</c>: the demo's two upstreams, <c>blue</c> and <c>green</c> (each answers every request with
/// its name), on 127.0.0.1:5001 and :5002 (<c>--fake-upstream-ports 0,0</c> for any free ones), so the gateway runs
/// as it normally does — files watched, until Ctrl+C — with something to forward to.
/// </summary>
internal sealed class LocalUpstreams : IAsyncDisposable
{
    private readonly WebApplication _blue;
    private readonly WebApplication _green;

    private LocalUpstreams(WebApplication blue, WebApplication green) => (_blue, _green) = (blue, green);

    public string BlueUrl => _blue.Urls.First() + "/";

    public string GreenUrl => _green.Urls.First() + "/";

    /// <summary>Starts both; <paramref name="ports"/> is "5001,5002" unless given. Null (with a message) when the ports are malformed.</summary>
    public static async Task<LocalUpstreams?> StartAsync(string? ports)
    {
        var parts = (ports ?? "5001,5002").Split(',');
        if (parts.Length != 2 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            Console.Error.WriteLine("--fake-upstream-ports takes two ports, such as 5001,5002 (0 for any free one)");
            return null;
        }

        var blue = await Demo.StartUpstreamAsync("blue", url: $"http://127.0.0.1:{parts[0]}");
        var green = await Demo.StartUpstreamAsync("green", url: $"http://127.0.0.1:{parts[1]}");
        return new LocalUpstreams(blue, green);
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_blue.StopAsync(), _green.StopAsync());
        await _blue.DisposeAsync();
        await _green.DisposeAsync();
    }
}
