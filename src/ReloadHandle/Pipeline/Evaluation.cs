namespace ReloadHandle.Pipeline;

/// <summary>What evaluating one candidate produced: the value, its hash and payload, the errors (a struct: no allocation per attempt).</summary>
internal struct Evaluation<T>(Candidate<T> candidate)
{
    public List<string> Errors { get; } = [];

    /// <summary>The first exception a decoder, validator or prepare step threw; raw (the pipeline scrubs it before any output).</summary>
    public Exception? Exception { get; set; }

    /// <summary>The candidate value: decoded or given, then prepared.</summary>
    public T? Value { get; set; }

    /// <summary>The value as decoded or given, before the prepare step (its secrets count as the candidate's).</summary>
    public T? Decoded { get; set; }

    public string? Hash { get; set; } = candidate.Hash;

    public ReadOnlyMemory<byte>? Payload { get; set; } = candidate.Payload;

    /// <summary>The <c>error.type</c> of a refusal or failure (<see cref="ReloadTelemetry.ErrorTypes"/>); null while none.</summary>
    public string? ErrorType { get; set; }

    /// <summary>True when the handle made <see cref="Value"/> (decoded or prepared it), so it owns it even if it never goes live.</summary>
    public bool Built { get; set; }
}
