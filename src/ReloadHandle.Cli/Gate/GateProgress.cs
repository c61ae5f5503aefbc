using System.Globalization;
using ReloadHandle.Cli.Output;
using ReloadHandle.Fleet;

namespace ReloadHandle.Cli.Gate;

/// <summary>
/// What a waiting gate shows: one line whenever an instance's answer changes (every output), and on a terminal a
/// spinner line with the counts that redraws in place.
/// </summary>
internal sealed class GateProgress(TextWriter output, bool terminal)
{
    private static readonly string[] Frames = ["|", "/", "-", "\\"];
    private readonly Dictionary<string, string> _shown = new(StringComparer.Ordinal);
    private int _frame;
    private bool _spinning;

    /// <summary>Prints what changed in <paramref name="view"/> since the last one, then the spinner.</summary>
    public void Show(FleetView view, TimeSpan elapsed)
    {
        foreach (var entry in view.Instances)
        {
            var line = Describe(view, entry);
            if (!_shown.TryGetValue(entry.Instance, out var before) || before != line)
            {
                _shown[entry.Instance] = line;
                Line($"  {entry.Instance}  {line}");
            }
        }

        foreach (var gone in _shown.Keys.Except(view.Instances.Select(e => e.Instance), StringComparer.Ordinal).ToList())
        {
            _shown.Remove(gone);
            Line($"  {gone}  stopped reporting");
        }

        if (terminal)
        {
            _spinning = true;
            output.Write(string.Create(CultureInfo.InvariantCulture, $"\r{Frames[_frame++ % Frames.Length]} {Durations.Format(elapsed)}: {view.Running.Count} running, {view.Rejected.Count} rejected, {view.Behind.Count} behind\u001b[K"));
        }
    }

    /// <summary>Prints a line above the spinner.</summary>
    public void Line(string text)
    {
        Clear();
        output.WriteLine(text);
    }

    /// <summary>Removes the spinner line.</summary>
    public void Clear()
    {
        if (_spinning)
        {
            output.Write("\r\u001b[K");
            _spinning = false;
        }
    }

    private static string Describe(FleetView view, FleetEntry entry)
    {
        var label = entry.Label is { } text ? $" ({text})" : string.Empty;
        if (view.Running.Contains(entry))
        {
            return $"ACK   runs {entry.ConfigId}{label}";
        }

        return view.Rejected.Contains(entry)
            ? $"NACK  refused {entry.AttemptedConfigId}: {entry.LastError ?? "no error given"}; serves {entry.ConfigId}{label}"
            : $"{(entry.Status == FleetStatus.Nack ? "NACK" : entry.Status == FleetStatus.Ack ? "ACK " : "-   ")}  behind: runs {entry.ConfigId ?? "nothing"}{label}, {entry.State}";
    }
}
