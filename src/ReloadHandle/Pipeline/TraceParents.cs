using System.Diagnostics;
using ReloadHandle.Sources;

namespace ReloadHandle.Pipeline;

/// <summary>Reads a writer's W3C <c>traceparent</c> from a change's metadata; malformed and all-zero ids are ignored.</summary>
internal static class TraceParents
{
    private static readonly string ZeroTraceId = new('0', 32);
    private static readonly string ZeroSpanId = new('0', 16);

    public static bool TryGet(SourceChange change, out ActivityContext context)
    {
        context = default;
        if (!change.Metadata.TryGetValue(SourceMetadataKeys.TraceParent, out var traceParent) || string.IsNullOrWhiteSpace(traceParent))
        {
            return false;
        }

        change.Metadata.TryGetValue(SourceMetadataKeys.TraceState, out var traceState);
        if (!ActivityContext.TryParse(traceParent.Trim(), traceState, isRemote: true, out var parsed))
        {
            return false;
        }

        if (parsed.TraceId.ToHexString() == ZeroTraceId || parsed.SpanId.ToHexString() == ZeroSpanId)
        {
            return false;
        }

        context = parsed;
        return true;
    }
}
