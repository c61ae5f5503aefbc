using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using ReloadHandle;
using ReloadHandle.Groups;

namespace LlmGateway;

/// <summary>
/// The configuration one request runs under: models and keys from one state of the <see cref="ConfigGroup"/> (so a
/// route never meets an upstream without its key) and the prompts — each leased until the response has completed. A
/// reload meanwhile changes nothing this request sees, and the replaced versions count as released
/// (<c>WhenReleasedAsync</c>, <c>DrainedThrough</c>) only once it ended: an old upstream key can be revoked then.
/// </summary>
internal sealed class RequestConfig : IDisposable
{
    private readonly GroupLease _group;
    private readonly SnapshotLease<PromptsConfig> _prompts;
    private int _disposed;

    internal RequestConfig(GroupLease group, IReloadable<ModelsConfig> models, IReloadable<KeysConfig> keys, SnapshotLease<PromptsConfig> prompts)
    {
        (_group, _prompts) = (group, prompts);
        (Models, Keys) = (group.Snapshot.Get(models), group.Snapshot.Get(keys));
    }

    /// <summary>The version of the group state models and keys come from.</summary>
    public long GroupVersion => _group.Snapshot.Version;

    public Snapshot<ModelsConfig> Models { get; }

    public Snapshot<KeysConfig> Keys { get; }

    public Snapshot<PromptsConfig> Prompts => _prompts.Snapshot;

    /// <summary>
    /// The request's configuration: leased on first use — by authentication, before the body is read — and released
    /// when the response has completed (a stream's last chunk included). Tags the request span and the
    /// <c>x-config-versions</c> header with what it took.
    /// </summary>
    public static RequestConfig Of(HttpContext http)
    {
        if (http.Features.Get<RequestConfig>() is { } taken)
        {
            return taken;
        }

        var config = http.RequestServices.GetRequiredService<ConfigGroup>().Lease();
        http.Features.Set(config);
        http.Response.RegisterForDispose(config);
        config.Tag(http.Features.Get<IHttpActivityFeature>()?.Activity);
        http.Response.Headers[ChatCompletions.VersionsHeader] = $"models={config.Models.Version},prompts={config.Prompts.Version},keys={config.Keys.Version}";
        return config;
    }

    /// <summary><c>config.&lt;handle&gt;.version</c>, <c>.id</c> and <c>.label</c> of each handle, and links to the reloads that applied them.</summary>
    public void Tag(Activity? span) => span.TagConfigVersions(Models, Prompts, Keys);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _group.Dispose();
            _prompts.Dispose();
        }
    }
}
