using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using dotnet_etcd;

namespace ReloadHandle.Benchmarks.Harness;

/// <summary>A real etcd from PATH on free loopback ports with a temporary data directory; killed and deleted on dispose.</summary>
internal sealed class EtcdServer : IAsyncDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("etcd-bench-").FullName;
    private Process? _process;

    private EtcdServer() => Endpoint = $"http://127.0.0.1:{FreePort()}";

    /// <summary>The client URL, such as <c>http://127.0.0.1:41234</c>.</summary>
    public string Endpoint { get; }

    /// <summary><see langword="true"/> when an <c>etcd</c> binary is on PATH.</summary>
    public static bool IsInstalled => (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Any(dir => File.Exists(Path.Combine(dir, "etcd")));

    /// <summary>Starts etcd and waits (at most 60 s) until it answers a read.</summary>
    public static async Task<EtcdServer> StartAsync()
    {
        var server = new EtcdServer();
        try
        {
            await server.LaunchAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            process.Dispose();
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task LaunchAsync()
    {
        var peer = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("etcd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "--name", "bench", "--data-dir", _dataDir,
            "--listen-client-urls", Endpoint, "--advertise-client-urls", Endpoint,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", $"bench={peer}",
            "--log-level", "error", "--logger", "zap",
        })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("etcd did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with code {_process.ExitCode} before answering");
            }

            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var client = new EtcdClient(Endpoint);
                await client.GetAsync("ready", cancellationToken: attempt.Token);
                return;
            }
            catch (Exception) when (waited.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
