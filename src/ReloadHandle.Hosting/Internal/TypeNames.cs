namespace ReloadHandle.Hosting.Internal;

/// <summary>Type names as a C# reader writes them: <c>MyValidator</c>, <c>ValidateOptions&lt;Gateway&gt;</c>.</summary>
internal static class TypeNames
{
    public static string Of(Type type)
    {
        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return $"{(tick < 0 ? name : name[..tick])}<{string.Join(", ", type.GetGenericArguments().Select(Of))}>";
    }
}
