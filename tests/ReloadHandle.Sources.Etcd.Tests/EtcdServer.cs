using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using dotnet_etcd;
using Grpc.Core;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>
/// A real etcd from PATH on free loopback ports with a temporary data directory; killed (whole process tree) and
/// deleted on dispose. <see cref="RestartAsync"/> SIGKILLs it and starts it again on the same ports and data;
/// <see cref="RestoreAsync"/> replaces its data with a snapshot, as an operator restoring a backup would.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly List<string> _directories = [Directory.CreateTempSubdirectory("etcd-test-").FullName];
    private string _dataDir;
    private readonly string[] _extraArgs;
    private readonly int _peerPort;
    private Process? _process;

    private string _name = "default";
    private string? _initialCluster;

    private EtcdServer(string scheme, string[] extraArgs)
    {
        _extraArgs = extraArgs;
        _dataDir = _directories[0];
        ClientPort = FreePort();
        _peerPort = FreePort();
        Endpoint = $"{scheme}://127.0.0.1:{ClientPort}";
    }

    private string PeerUrl => $"http://127.0.0.1:{_peerPort}";

    /// <summary>The client URL, such as <c>http://127.0.0.1:41234</c>.</summary>
    public string Endpoint { get; }

    public int ClientPort { get; }

    public int? ProcessId => _process?.Id;

    /// <summary>Starts etcd and waits (bounded) until it answers.</summary>
    /// <param name="extraArgs">Flags such as <c>--auth-token-ttl 2</c> or TLS files.</param>
    /// <param name="scheme"><c>https</c> when <paramref name="extraArgs"/> configure TLS.</param>
    /// <param name="probe">How to check readiness; default: a plain client's Get.</param>
    public static async Task<EtcdServer> StartAsync(string[]? extraArgs = null, string scheme = "http", Func<EtcdServer, Task>? probe = null)
    {
        var server = new EtcdServer(scheme, extraArgs ?? []);
        try
        {
            await server.LaunchAsync(probe);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a cluster of <paramref name="members"/> members (all must run for it to have a quorum).</summary>
    public static async Task<IReadOnlyList<EtcdServer>> StartClusterAsync(int members)
    {
        var servers = Enumerable.Range(1, members).Select(_ => new EtcdServer("http", [])).ToList();
        var cluster = string.Join(",", servers.Select((m, i) => $"m{i + 1}={m.PeerUrl}"));
        for (var i = 0; i < servers.Count; i++)
        {
            servers[i]._name = $"m{i + 1}";
            servers[i]._initialCluster = cluster;
        }

        try
        {
            await Task.WhenAll(servers.Select(m => m.LaunchAsync(probe: null)));
            return servers;
        }
        catch
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>A new plain client for this server; dispose it.</summary>
    public EtcdClient CreateClient() => new(Endpoint);

    /// <summary>SIGKILLs etcd (no clean shutdown) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            process.Dispose();
            _process = null;
        }
    }

    /// <summary>Starts etcd again on the same ports and data directory.</summary>
    public Task StartAgainAsync() => LaunchAsync(probe: null);

    /// <summary>SIGKILL, then start again on the same ports and data directory.</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        await StartAgainAsync();
    }

    /// <summary>Saves a snapshot of the running etcd to <paramref name="file"/> (<c>etcdctl snapshot save</c>).</summary>
    public Task SaveSnapshotAsync(string file) => Etcdctl.RunAsync("--endpoints", Endpoint, "snapshot", "save", file);

    /// <summary>
    /// Restores <paramref name="snapshot"/> into a new data directory (<c>etcdctl snapshot restore</c>), SIGKILLs etcd
    /// and starts it from that directory on the same ports.
    /// </summary>
    /// <param name="snapshot">A file from <see cref="SaveSnapshotAsync"/>.</param>
    /// <param name="sameMember">
    /// <see langword="false"/>: etcdctl's defaults (name <c>default</c>, peer <c>http://localhost:2380</c>), which make
    /// a new member id and cluster id. <see langword="true"/>: this server's name and peer URL and the default cluster
    /// token, which keep both ids — the in-place restore etcd's disaster-recovery guide describes.
    /// </param>
    public async Task RestoreAsync(string snapshot, bool sameMember)
    {
        var parent = Directory.CreateTempSubdirectory("etcd-restored-").FullName;
        _directories.Add(parent);
        var dataDir = Path.Combine(parent, "data"); // etcdctl refuses a directory that exists
        string[] member = sameMember ? ["--name", _name, "--initial-cluster", $"{_name}={PeerUrl}", "--initial-advertise-peer-urls", PeerUrl] : [];
        await Etcdctl.RunAsync(["snapshot", "restore", snapshot, "--data-dir", dataDir, .. member]);
        await KillAsync();
        _dataDir = dataDir;
        await StartAgainAsync();
    }

    /// <summary>Freezes etcd (SIGSTOP): its sockets stay open, but nothing answers.</summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    /// <summary>Thaws etcd (SIGCONT).</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                await ResumeAsync(); // a stopped process still dies of SIGKILL, but be tidy
            }
        }
        catch (InvalidOperationException)
        {
        }

        await KillAsync();
        foreach (var directory in _directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task LaunchAsync(Func<EtcdServer, Task>? probe)
    {
        var peer = PeerUrl;
        var start = new ProcessStartInfo("etcd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--name", _name, "--data-dir", _dataDir,
            "--listen-client-urls", Endpoint, "--advertise-client-urls", Endpoint,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", _initialCluster ?? $"{_name}={peer}",
            "--log-level", "error", "--logger", "zap",
        }.Concat(_extraArgs))
        {
            start.ArgumentList.Add(arg);
        }

        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("etcd did not start");
        }
        catch (System.ComponentModel.Win32Exception missing)
        {
            throw new InvalidOperationException(
                "The etcd tests need the `etcd` server binary on PATH (Debian: apt-get install etcd-server; tests/run.sh installs it). " + missing.Message,
                missing);
        }

        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with code {_process.ExitCode}: {string.Join(Environment.NewLine, output)}");
            }

            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                if (probe is not null)
                {
                    await probe(this).WaitAsync(attempt.Token);
                }
                else
                {
                    using var client = CreateClient();
                    await client.GetAsync("health-probe", cancellationToken: attempt.Token);
                }

                return;
            }
            catch (RpcException refused) when (refused.StatusCode is StatusCode.InvalidArgument or StatusCode.Unauthenticated or StatusCode.PermissionDenied)
            {
                return; // auth is on: etcd answers, it just wants credentials
            }
            catch (Exception exception)
            {
                last = exception;
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"etcd did not answer within {StartTimeout.TotalSeconds} s: {last?.Message}; output: {string.Join(Environment.NewLine, output)}");

        void Keep(string? line)
        {
            if (line is not null && output.Count < 200)
            {
                output.Enqueue(line);
            }
        }
    }

    private async Task SignalAsync(string signal)
    {
        if (_process is not { } process)
        {
            return;
        }

        using var kill = Process.Start("kill", [signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
