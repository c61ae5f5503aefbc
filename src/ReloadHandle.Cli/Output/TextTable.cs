using System.Text;

namespace ReloadHandle.Cli.Output;

/// <summary>A plain text table: columns padded to their widest cell, two spaces apart; the last column is never padded.</summary>
internal static class TextTable
{
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var cells = new List<IReadOnlyList<string>> { headers };
        cells.AddRange(rows.Select(row => (IReadOnlyList<string>)[.. row.Select(Clean)]));
        var widths = Enumerable.Range(0, headers.Count).Select(c => cells.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in cells)
        {
            for (var c = 0; c < headers.Count; c++)
            {
                text.Append(c == headers.Count - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            text.Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }

    // One line per row, whatever the cell holds (an error message may hold newlines).
    private static string Clean(string? cell) => string.IsNullOrEmpty(cell) ? "-" : cell.ReplaceLineEndings(" ");
}
