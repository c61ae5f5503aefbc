using System.Globalization;

namespace ReloadHandle.Pipeline;

/// <summary>
/// Decode → validate → prepare, as a pure step over one candidate and the snapshot serving now: it touches nothing
/// readers see, and runs the user's code (decoder, validators, prepare step) inside guards, so whatever they throw
/// becomes an error of the attempt. Stateless; the pipeline serializes calls.
/// </summary>
internal sealed class Evaluator<T>(HandleSettings<T> settings)
{
    public ReloadOutcome Evaluate(in Candidate<T> candidate, Snapshot<T>? previous, ref Evaluation<T> e)
    {
        if (candidate.RefusedBecause is { } refusal)
        {
            e.Errors.Add(refusal);
            e.ErrorType = ReloadTelemetry.ErrorTypes.Refused;
            return ReloadOutcome.Rejected;
        }

        var early = e.Payload is { } bytes ? Decode(bytes, previous, ref e) : TakeValue(candidate, previous, ref e);
        if (early is { } outcome)
        {
            return outcome;
        }

        if (settings.Quarantine?.TryGet(e.Hash, out var quarantined) == true)
        {
            e.Errors.Add($"config id {ConfigIdentity.FromContentHash(e.Hash)} is quarantined: it failed probation at {quarantined.At:u} ({quarantined.Reason}); change the content, or clear the quarantine (ClearQuarantine)");
            e.ErrorType = ReloadTelemetry.ErrorTypes.Quarantined;
            return ReloadOutcome.Rejected;
        }

        e.Decoded = e.Value;
        Validate(ref e);
        if (e.Errors.Count > 0)
        {
            e.ErrorType = ReloadTelemetry.ErrorTypes.Validation;
            return ReloadOutcome.Rejected;
        }

        return Prepare(ref e);
    }

    /// <summary>Null when the decoded value goes on to validation; otherwise the outcome (rejected, unchanged).</summary>
    private ReloadOutcome? Decode(ReadOnlyMemory<byte> bytes, Snapshot<T>? previous, ref Evaluation<T> e)
    {
        if (bytes.Length > settings.MaxPayloadBytes)
        {
            e.Errors.Add(string.Create(CultureInfo.InvariantCulture, $"the payload is {bytes.Length:N0} bytes; the limit is {settings.MaxPayloadBytes:N0} bytes"));
            e.ErrorType = ReloadTelemetry.ErrorTypes.PayloadTooLarge;
            return ReloadOutcome.Rejected;
        }

        e.Hash ??= ContentHash.Of(bytes.Span);
        if (previous is not null && previous.ContentHash == e.Hash)
        {
            return ReloadOutcome.Unchanged;
        }

        try
        {
            e.Value = settings.Decoder.Decode(bytes);
            e.Built = true;
        }
        catch (Exception decodeError) when (decodeError is not OutOfMemoryException)
        {
            e.Exception = decodeError;
            e.Errors.Add($"the payload could not be decoded: {decodeError.Message}");
            e.ErrorType = ReloadTelemetry.ErrorTypes.Decode;
            return ReloadOutcome.Rejected;
        }

        if (e.Value is null)
        {
            e.Errors.Add("the payload decoded to null");
            e.ErrorType = ReloadTelemetry.ErrorTypes.Decode;
            return ReloadOutcome.Rejected;
        }

        return null;
    }

    private ReloadOutcome? TakeValue(in Candidate<T> candidate, Snapshot<T>? previous, ref Evaluation<T> e)
    {
        e.Value = candidate.Value;
        if (e.Value is null)
        {
            e.Errors.Add("the candidate is null");
            e.ErrorType = ReloadTelemetry.ErrorTypes.Validation;
            return ReloadOutcome.Rejected;
        }

        if (e.Hash is null && TryEncode(e.Value) is { } encoded)
        {
            e.Payload = encoded;
            e.Hash = ContentHash.Of(encoded);
        }

        var same = e.Hash is not null && previous?.ContentHash is not null
            ? e.Hash == previous.ContentHash
            : previous is not null && EqualityComparer<T>.Default.Equals(previous.Value, e.Value);
        return same ? ReloadOutcome.Unchanged : null;
    }

    private void Validate(ref Evaluation<T> e)
    {
        foreach (var registration in settings.Validators)
        {
            try
            {
                registration.Validator.Validate(e.Value!, e.Errors);
            }
            catch (Exception validatorError) when (validatorError is not OutOfMemoryException)
            {
                e.Exception ??= validatorError;
                e.Errors.Add($"validator '{registration.Description}' threw {validatorError.GetType().Name}: {validatorError.Message}");
            }
        }
    }

    private ReloadOutcome Prepare(ref Evaluation<T> e)
    {
        if (settings.Prepare is not { } prepare)
        {
            return ReloadOutcome.Applied;
        }

        try
        {
            var prepared = prepare(e.Value!);
            e.Built |= !ReferenceEquals(prepared, e.Value); // (a prepared copy may share the decoded value's resources)
            e.Value = prepared;
        }
        catch (Exception prepareError) when (prepareError is not OutOfMemoryException)
        {
            e.Exception = prepareError;
            e.Errors.Add($"the prepare step threw {prepareError.GetType().Name}: {prepareError.Message}");
            e.ErrorType = ReloadTelemetry.ErrorTypes.Prepare;
            return ReloadOutcome.Failed;
        }

        if (e.Value is null)
        {
            e.Errors.Add("the prepare step returned null");
            e.ErrorType = ReloadTelemetry.ErrorTypes.Prepare;
            return ReloadOutcome.Failed;
        }

        return ReloadOutcome.Applied;
    }

    private byte[]? TryEncode(T value)
    {
        try
        {
            return settings.Encoder?.Encode(value);
        }
        catch (Exception encodeError) when (encodeError is not OutOfMemoryException)
        {
            return null; // no hash: fall back to Equals for the unchanged check
        }
    }
}
