using ReloadHandle.Sources.Consul.Tests.InProcessConsul;

namespace ReloadHandle.Benchmarks.Harness;

/// <summary>
/// The child process of the Consul scale harness: serves the test suite's Consul double (plain HTTP and HTTPS with
/// HTTP/2, no per-client connection limit) until its standard input closes, so the handles' memory is measured in a
/// process that holds no server-side state.
/// </summary>
internal static class ConsulDoubleHost
{
    public const string Mode = "consul-double";

    public static async Task<int> RunAsync()
    {
        await using var http = await ConsulDouble.StartAsync(settings: new ConsulDoubleSettings { HttpMaxConnsPerClient = 0 });
        await using var https = await ConsulDouble.StartAsync(settings: new ConsulDoubleSettings { HttpMaxConnsPerClient = 0, Https = true });
        Console.WriteLine($"{http.Address} {https.Address} {https.Certificate!.GetCertHashString()}");
        await Console.In.ReadToEndAsync(); // the parent closes our input when it is done, or dies
        return 0;
    }
}
