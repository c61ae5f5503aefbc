using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace GatewayOverhead;

/// <summary>
/// One measured app: <c>dotnet &lt;dll&gt; &lt;args&gt;</c> started by the driver with the allocation probe hooked in, at
/// a URL wrk hits. Logging is held at Warning for every target, so no target pays for a log line per request.
/// </summary>
internal sealed class Target : IAsyncDisposable
{
    private static readonly TimeSpan ReadyBound = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly int _probePort;

    private Target(string name, Process process, int probePort, Uri url)
    {
        (Name, _process, _probePort, Url) = (name, process, probePort, url);
    }

    /// <summary>The row's name in the report.</summary>
    public string Name { get; }

    /// <summary>What wrk requests: a path of the <c>orders</c> route.</summary>
    public Uri Url { get; }

    /// <summary>Starts <paramref name="dll"/> listening on a free port (passed through <paramref name="arguments"/>'s <c>{port}</c>) and waits until the URL answers 200.</summary>
    public static async Task<Target> StartAsync(string name, string dll, string hook, string apiKey, params string[] arguments)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is missing: build first with `dotnet build benchmarks/GatewayOverhead -c Release`");
        }

        var (port, probePort) = (Ports.Free(), Ports.Free());
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument.Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        start.Environment["DOTNET_STARTUP_HOOKS"] = hook;
        start.Environment[StartupHook.PortVariable] = probePort.ToString(CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["DOTNET_gcServer"] = "0"; // one GC mode for all, as the apps' defaults (workstation) already are
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}");
        var errors = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, _) => { }; // drained so a chatty app never blocks on a full pipe
        process.ErrorDataReceived += (_, line) => { lock (errors) { errors.AppendLine(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var target = new Target(name, process, probePort, new Uri($"http://127.0.0.1:{port}/orders/42"));
        await target.WaitUntilReadyAsync(apiKey, () => { lock (errors) { return errors.ToString(); } });
        return target;
    }

    /// <summary>The app's <see cref="GC.GetTotalAllocatedBytes(bool)"/>, read through the probe.</summary>
    public async Task<long> AllocatedBytesAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _probePort);
        using var reader = new StreamReader(client.GetStream());
        return long.Parse(await reader.ReadLineAsync() ?? throw new InvalidOperationException($"{Name}: the probe answered nothing"), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true); // the process this target started, by its handle
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(string apiKey, Func<string> errors)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Add("x-api-key", apiKey);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyBound)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}: {errors()}");
            }

            try
            {
                using var response = await http.GetAsync(Url);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100); // polling a process that gives no other signal of readiness
        }

        throw new TimeoutException($"{Name} did not answer 200 on {Url} within {ReadyBound.TotalSeconds} s: {errors()}");
    }
}

/// <summary>Free loopback ports, found by binding port 0 (another process could take one before the app binds it: rare, and then the app fails to start loudly).</summary>
internal static class Ports
{
    public static int Free()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
