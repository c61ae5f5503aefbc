namespace ReloadHandle;

/// <summary>
/// Marks a member whose value is secret (an API key, a password). The handle never writes such a value to a log line,
/// a span, a metric or an error message: wherever a secret string value of the current or candidate configuration
/// appears in an error text, it is replaced by <c>***</c>. Changed-path logging names the member, never its value.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = true, AllowMultiple = false)]
public sealed class SecretAttribute : Attribute
{
}
