using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;

namespace ApiGateway;

/// <summary>
/// Appends each finished span to a file as one JSON object a line (name, ids, parent, tags, links): a span export that
/// a test reads without a collector. Each line is written and flushed whole.
/// </summary>
internal sealed class JsonLinesSpanExporter(string path) : BaseExporter<Activity>
{
    private readonly StreamWriter _file = new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = false };

    public override ExportResult Export(in Batch<Activity> batch)
    {
        lock (_file)
        {
            foreach (var span in batch)
            {
                _file.Write(JsonSerializer.Serialize(new
                {
                    name = span.DisplayName,
                    source = span.Source.Name,
                    traceId = span.TraceId.ToHexString(),
                    spanId = span.SpanId.ToHexString(),
                    parentSpanId = span.ParentSpanId == default ? null : span.ParentSpanId.ToHexString(),
                    status = span.Status.ToString(),
                    tags = span.TagObjects.ToDictionary(t => t.Key, t => t.Value?.ToString()),
                    links = span.Links.Select(l => new { traceId = l.Context.TraceId.ToHexString(), spanId = l.Context.SpanId.ToHexString() }),
                }) + "\n");
            }

            _file.Flush();
        }

        return ExportResult.Success;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
