using System.Diagnostics;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>Runs <c>etcdctl</c> (v3 API) from PATH, bounded; fails with a clear message when it is missing or fails.</summary>
public static class Etcdctl
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("etcdctl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["ETCDCTL_API"] = "3";
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("etcdctl did not start");
        }
        catch (System.ComponentModel.Win32Exception missing)
        {
            throw new InvalidOperationException(
                "The etcd restore tests need `etcdctl` on PATH (Debian: apt-get install etcd-client; tests/run.sh installs it). " + missing.Message,
                missing);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(Timeout);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"etcdctl {string.Join(' ', args)} exited with {process.ExitCode}: {await output} {await errors}");
            }
        }
    }
}
