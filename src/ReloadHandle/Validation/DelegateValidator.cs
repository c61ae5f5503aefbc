namespace ReloadHandle.Validation;

/// <summary>Adapts a delegate to <see cref="IReloadValidator{T}"/>.</summary>
internal sealed class DelegateValidator<T>(Action<T, ICollection<string>> validate) : IReloadValidator<T>
{
    public void Validate(T candidate, ICollection<string> errors) => validate(candidate, errors);
}
