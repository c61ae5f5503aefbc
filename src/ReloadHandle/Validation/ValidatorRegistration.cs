using System.Text.RegularExpressions;

namespace ReloadHandle.Validation;

/// <summary>A validator as registered on a builder, with the description that names it when it throws.</summary>
/// <param name="Validator">The validator.</param>
/// <param name="Description">What the user called it: the message of a predicate rule, the expression of a delegate, a class's name.</param>
internal sealed partial record ValidatorRegistration<T>(IReloadValidator<T> Validator, string Description)
{
    private const int MaxDescriptionLength = 80;

    /// <summary>Registers <paramref name="validator"/>, described by <paramref name="description"/> or else by what the validator says it is.</summary>
    public static ValidatorRegistration<T> Of(IReloadValidator<T> validator, string? description) =>
        new(validator, Shorten(description) ?? Describe(validator));

    /// <summary>A delegate by its description; a validator class by its type name (without the generic arity).</summary>
    private static string Describe(IReloadValidator<T> validator) =>
        validator is DelegateValidator<T> ? validator.ToString()! : validator.GetType().Name.Split('`')[0];

    private static string? Shorten(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var oneLine = Whitespace().Replace(text.Trim(), " ");
        return oneLine.Length <= MaxDescriptionLength ? oneLine : string.Concat(oneLine.AsSpan(0, MaxDescriptionLength - 1), "…");
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
