namespace ReloadHandle.Sources.Etcd;

/// <summary>The writes of a key or prefix that etcd still holds, newest first, and why the list ends.</summary>
/// <param name="Revisions">The writes, newest first; the first is the content the readers run now (unless a later delete changed it).</param>
/// <param name="End">Why no older write is listed.</param>
public sealed record EtcdHistoryPage(IReadOnlyList<EtcdConfigRevision> Revisions, EtcdHistoryEnd End);
