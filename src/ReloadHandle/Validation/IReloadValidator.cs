namespace ReloadHandle.Validation;

/// <summary>
/// Checks a candidate before it goes live. Every validator of a handle runs on every candidate, without
/// short-circuiting, so one attempt reports every error at once.
/// </summary>
/// <typeparam name="T">The configuration type.</typeparam>
/// <remarks>Runs on the write side, one candidate at a time. A validator that throws rejects the candidate.</remarks>
public interface IReloadValidator<in T>
{
    /// <summary>Adds one message to <paramref name="errors"/> per problem found in <paramref name="candidate"/>.</summary>
    /// <param name="candidate">The decoded candidate; never <see langword="null"/>.</param>
    /// <param name="errors">Where to add errors. Messages must not contain secret values.</param>
    void Validate(T candidate, ICollection<string> errors);
}
