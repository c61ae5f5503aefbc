using System.Diagnostics;
using System.Net.Http;
using System.Net.NetworkInformation;

namespace ReloadHandle.Benchmarks.Harness;

/// <summary>The Consul double running in a child process (<see cref="ConsulDoubleHost"/>): its addresses, and a count of the connections to it.</summary>
internal sealed class ConsulDoubleProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ConsulDoubleProcess(Process process, string http, string https, string thumbprint)
    {
        _process = process;
        Http = new Uri(http);
        Https = new Uri(https);
        Thumbprint = thumbprint;
    }

    public Uri Http { get; }

    public Uri Https { get; }

    /// <summary>The HTTPS certificate's thumbprint, which the harness trusts.</summary>
    public string Thumbprint { get; }

    /// <summary>Makes a handler trust the double's self-signed certificate (and nothing else).</summary>
    public Action<SocketsHttpHandler> Trust => handler => handler.SslOptions.RemoteCertificateValidationCallback =
        (_, certificate, _, _) => certificate?.GetCertHashString() == Thumbprint;

    public static async Task<ConsulDoubleProcess> StartAsync()
    {
        // This very program, in the double's mode: `dotnet <dll> consul-double` or `<apphost> consul-double`.
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ConsulDoubleProcess).Assembly.Location);
        }

        start.ArgumentList.Add(ConsulDoubleHost.Mode);
        var process = Process.Start(start)!;
        var line = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the Consul double did not start");
        var parts = line.Split(' ');
        return new ConsulDoubleProcess(process, parts[0], parts[1], parts[2]);
    }

    /// <summary>Established TCP connections from any local process to <paramref name="agent"/>'s port: the client ends.</summary>
    public static int ConnectionsTo(Uri agent) =>
        IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpConnections()
            .Count(c => c.RemoteEndPoint.Port == agent.Port && c.State == TcpState.Established);

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
