using Microsoft.Extensions.Options;
using ReloadHandle.Validation;

namespace ReloadHandle.Hosting.Internal;

/// <summary>Runs an <see cref="IValidateOptions{T}"/> as a handle validator: each failure becomes one error.</summary>
internal sealed class OptionsValidatorAdapter<T>(IValidateOptions<T> validator, string optionsName) : IReloadValidator<T>
    where T : class
{
    public void Validate(T candidate, ICollection<string> errors)
    {
        var result = validator.Validate(optionsName, candidate);
        if (!result.Failed)
        {
            return;
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
            errors.Add(result.FailureMessage ?? $"{validator.GetType().Name} failed");
        }
    }
}
