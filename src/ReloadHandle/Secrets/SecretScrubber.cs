using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace ReloadHandle.Secrets;

/// <summary>
/// Finds the values of <see cref="SecretAttribute"/> members in configuration values, and masks them in texts.
/// Walks the object graph by reflection; runs only when there is an error to clean (see <see cref="ScrubContext"/>).
/// </summary>
internal static class SecretScrubber
{
    public const string Masked = "***";
    private const int MinSecretLength = 3;
    private const int MaxDepth = 8;
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    /// <summary>Masks in <paramref name="message"/> every secret of <paramref name="roots"/>.</summary>
    public static string Scrub(string message, params ReadOnlySpan<object?> roots) =>
        string.IsNullOrEmpty(message) ? message : Mask(message, SecretsOf(roots));

    /// <summary>Every secret value of <paramref name="roots"/>, longest first (so a secret that contains another is masked whole).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Secret scrubbing is best-effort over the members that survive trimming.")]
    public static string[] SecretsOf(params ReadOnlySpan<object?> roots)
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var root in roots)
        {
            try
            {
                Collect(root, secrets, visited, 0);
            }
            catch (Exception walkError) when (walkError is not OutOfMemoryException)
            {
                // A getter or an enumerator that throws: keep what was found so far.
            }
        }

        return [.. secrets.OrderByDescending(s => s.Length)];
    }

    /// <summary>Replaces every one of <paramref name="secrets"/> (longest first) in <paramref name="message"/> by the mask.</summary>
    public static string Mask(string message, string[] secrets)
    {
        foreach (var secret in secrets)
        {
            message = message.Replace(secret, Masked, StringComparison.Ordinal);
        }

        return message;
    }

    private static void Collect(object? node, HashSet<string> secrets, HashSet<object> visited, int depth)
    {
        if (node is null || depth > MaxDepth || IsLeaf(node.GetType()) || !visited.Add(node))
        {
            return;
        }

        if (node is IDictionary dictionary)
        {
            foreach (var value in dictionary.Values)
            {
                Collect(value, secrets, visited, depth + 1);
            }

            return;
        }

        if (node is IEnumerable sequence)
        {
            foreach (var item in sequence)
            {
                Collect(item, secrets, visited, depth + 1);
            }

            return;
        }

        foreach (var property in Properties.GetOrAdd(node.GetType(), Readable))
        {
            object? value;
            try
            {
                value = property.GetValue(node);
            }
            catch (TargetInvocationException)
            {
                continue;
            }

            if (property.IsDefined(typeof(SecretAttribute), inherit: true))
            {
                AddSecret(value, secrets);
            }
            else
            {
                Collect(value, secrets, visited, depth + 1);
            }
        }
    }

    private static void AddSecret(object? value, HashSet<string> secrets)
    {
        switch (value)
        {
            case string { Length: >= MinSecretLength } text:
                secrets.Add(text);
                break;
            case IDictionary dictionary:
                foreach (var item in dictionary.Values)
                {
                    AddSecret(item, secrets);
                }

                break;
            case IEnumerable items and not string:
                foreach (var item in items)
                {
                    AddSecret(item, secrets);
                }

                break;
            case null:
                break;
            default:
                var text2 = value.ToString();
                if (text2 is { Length: >= MinSecretLength })
                {
                    secrets.Add(text2);
                }

                break;
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Best-effort, see Scrub.")]
    private static PropertyInfo[] Readable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .ToArray();

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime)
        || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid) || type == typeof(Uri)
        || type.IsPointer || typeof(Delegate).IsAssignableFrom(type) || type.Namespace?.StartsWith("System.Reflection", StringComparison.Ordinal) == true;
}
