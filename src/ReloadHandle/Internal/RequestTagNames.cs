namespace ReloadHandle.Internal;

/// <summary>
/// The tag names a request span gets for one handle — <c>config.&lt;handle&gt;.version</c>, <c>.id</c>, <c>.label</c> —
/// built once per handle, so tagging a request allocates no string.
/// </summary>
internal sealed class RequestTagNames(string handleName)
{
    public string Version { get; } = $"config.{handleName}.version";

    public string Id { get; } = $"config.{handleName}.id";

    public string Label { get; } = $"config.{handleName}.label";
}

/// <summary>Implemented by snapshots that carry their precomputed tag names and boxed version.</summary>
internal interface ITaggableSnapshot
{
    RequestTagNames TagNames { get; }

    object BoxedVersion { get; }
}
