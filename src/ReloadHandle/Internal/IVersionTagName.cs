namespace ReloadHandle.Internal;

/// <summary>Implemented by snapshots that precompute their <c>config.&lt;handle&gt;.version</c> tag name.</summary>
internal interface IVersionTagName
{
    string VersionTagName { get; }
}
