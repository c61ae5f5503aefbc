using Microsoft.Extensions.Options;
using ReloadHandle.Validation;

namespace ReloadHandle.Hosting.Internal;

/// <summary>
/// Runs an <see cref="IValidateOptions{T}"/> as a handle validator, as <c>OptionsFactory</c> runs it: a
/// <see langword="null"/> result or <see cref="ValidateOptionsResult.Skip"/> passes, each failure becomes one error.
/// Registered under the validator's own type name, so errors and throws name the user's class.
/// </summary>
internal sealed class OptionsValidatorAdapter<T>(IValidateOptions<T> validator, string optionsName) : IReloadValidator<T>
    where T : class
{
    /// <summary>The name errors are reported under: the validator's type, as written in C#.</summary>
    public string Description { get; } = TypeNames.Of(validator.GetType());

    public void Validate(T candidate, ICollection<string> errors)
    {
        var result = validator.Validate(optionsName, candidate);
        if (result is null || !result.Failed)
        {
            return; // null is success for OptionsFactory too
        }

        if (result.Failures is { } failures && failures.Any())
        {
            foreach (var failure in failures)
            {
                errors.Add(failure);
            }
        }
        else
        {
            errors.Add(result.FailureMessage ?? $"{Description} failed");
        }
    }
}
