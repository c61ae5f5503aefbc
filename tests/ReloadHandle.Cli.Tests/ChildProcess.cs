using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace ReloadHandle.Cli.Tests;

/// <summary>
/// A real process (<c>dotnet &lt;dll&gt; …</c>) whose output lines are kept and can be awaited; killed with its whole
/// tree on dispose. Its environment is the test's minus the variables the programs read, plus what the test sets.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly string[] Scrubbed = ["TRACEPARENT", "TRACESTATE", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL"];
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Channel<bool> _changed = Channel.CreateUnbounded<bool>();
    private int _open = 2;

    private ChildProcess(Process process) => _process = process;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything written to standard output so far.</summary>
    public string Output => Join(stdout: true);

    /// <summary>Everything written to standard error so far.</summary>
    public string Errors => Join(stdout: false);

    public static ChildProcess Start(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in Scrubbed.Concat(start.Environment.Keys.Where(k => k.StartsWith("RELOADCTL_", StringComparison.Ordinal)).ToList()))
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Keep("out", e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep("err", e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits (bounded) for an output line matching <paramref name="pattern"/> and returns its match.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            lock (_lines)
            {
                foreach (var line in _lines)
                {
                    if (pattern.Match(line) is { Success: true } match)
                    {
                        return match;
                    }
                }
            }

            if (_process.HasExited && Volatile.Read(ref _open) == 0)
            {
                throw new InvalidOperationException($"the process exited ({_process.ExitCode}) before printing /{pattern}/:\n{Everything()}");
            }

            try
            {
                await _changed.Reader.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no line /{pattern}/ within {timeout.TotalSeconds} s:\n{Everything()}");
            }
        }
    }

    /// <summary>Waits (bounded) for the process to exit and its output to be read to the end.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token); // also waits for the redirected output to end
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the process did not exit within {timeout.TotalSeconds} s:\n{Everything()}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    public string Everything()
    {
        lock (_lines)
        {
            return string.Join("\n", _lines);
        }
    }

    private string Join(bool stdout)
    {
        var prefix = stdout ? "out: " : "err: ";
        lock (_lines)
        {
            return string.Join("\n", _lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..]));
        }
    }

    private void Keep(string stream, string? line)
    {
        if (line is null)
        {
            Interlocked.Decrement(ref _open); // end of one stream
        }
        else
        {
            lock (_lines)
            {
                _lines.Add($"{stream}: {line}");
            }
        }

        _changed.Writer.TryWrite(true);
    }
}
