using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace ReloadHandle.Internal;

/// <summary>
/// Removes the values of <see cref="SecretAttribute"/> members from error texts before they reach a log, a span or
/// a status. Walks the object graph by reflection; runs only when there is an error to clean.
/// </summary>
internal static class SecretScrubber
{
    private const string Mask = "***";
    private const int MinSecretLength = 3;
    private const int MaxDepth = 8;
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Secret scrubbing is best-effort over the members that survive trimming.")]
    public static string Scrub(string message, params ReadOnlySpan<object?> roots)
    {
        if (string.IsNullOrEmpty(message))
        {
            return message;
        }

        var secrets = new HashSet<string>(StringComparer.Ordinal);
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var root in roots)
        {
            Collect(root, secrets, visited, 0);
        }

        // Longest first, so a secret that contains another is masked whole.
        foreach (var secret in secrets.OrderByDescending(s => s.Length))
        {
            message = message.Replace(secret, Mask, StringComparison.Ordinal);
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
