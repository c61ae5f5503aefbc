using System.Text;
using System.Text.Json;
using ReloadHandle.Cli.Stores;

namespace ReloadHandle.Cli.Commands;

/// <summary>Reads what <c>publish</c> writes: the file's bytes for a key; for a prefix, the file's JSON object, one key per property.</summary>
internal static class ContentFile
{
    /// <summary>The file at <paramref name="path"/> (<c>-</c>: standard input) as content for a key or a prefix.</summary>
    public static async Task<ConfigContent> ReadAsync(string path, bool prefix, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            if (path == "-")
            {
                using var buffer = new MemoryStream();
                await Console.OpenStandardInput().CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                bytes = buffer.ToArray();
            }
            else
            {
                bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"cannot read {path}: {unreadable.Message}");
        }

        return prefix ? new ConfigContent(bytes, Entries(bytes, path)) : new ConfigContent(bytes);
    }

    /// <summary>
    /// Each top-level property becomes a key below the prefix holding the property's JSON text, which the readers'
    /// JSON object layout embeds as it is: the document they compose has the same members and values as the file.
    /// </summary>
    private static Dictionary<string, byte[]> Entries(byte[] json, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CliException(ExitCodes.Usage, $"{path}: publishing to a prefix needs a JSON object (one key per property)");
            }

            var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name.Length == 0 || !entries.TryAdd(property.Name, Encoding.UTF8.GetBytes(property.Value.GetRawText())))
                {
                    throw new CliException(ExitCodes.Usage, $"{path}: property '{property.Name}' is empty or appears twice");
                }
            }

            return entries;
        }
        catch (JsonException malformed)
        {
            throw new CliException(ExitCodes.Rejected, $"{path} is not well-formed JSON: {malformed.Message}");
        }
    }
}
