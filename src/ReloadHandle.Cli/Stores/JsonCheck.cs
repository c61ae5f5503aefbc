using System.Text.Json;
using ReloadHandle.Sources;

namespace ReloadHandle.Cli.Stores;

/// <summary>What a generic tool can check of a payload: that the readers' default decoder (JSON) takes it.</summary>
internal static class JsonCheck
{
    /// <summary>The decoder's messages for <paramref name="payload"/>; empty when it is well-formed JSON.</summary>
    public static async Task<IReadOnlyList<string>> ErrorsAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        // A handle built like a reader with the default decoder, never started: CheckAsync records nothing.
        var handle = new ReloadHandleBuilder<JsonElement>("reloadctl").Build();
        await using (handle.ConfigureAwait(false))
        {
            return await handle.CheckAsync(new SourceChange(payload, trigger: ReloadTrigger.Manual), cancellationToken).ConfigureAwait(false);
        }
    }
}
