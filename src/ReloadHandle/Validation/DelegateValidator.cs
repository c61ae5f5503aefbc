namespace ReloadHandle.Validation;

/// <summary>Adapts a delegate to <see cref="IReloadValidator{T}"/>; its description names it in errors.</summary>
internal sealed class DelegateValidator<T>(Action<T, ICollection<string>> validate, string description) : IReloadValidator<T>
{
    public void Validate(T candidate, ICollection<string> errors) => validate(candidate, errors);

    public override string ToString() => description;
}
