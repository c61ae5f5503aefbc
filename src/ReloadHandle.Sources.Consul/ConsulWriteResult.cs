namespace ReloadHandle.Sources.Consul;

/// <summary>The result of a write by <see cref="ConsulKvWriter"/>.</summary>
/// <param name="IsWritten"><see langword="true"/> when Consul applied the transaction.</param>
/// <param name="Index">
/// When written: the transaction's index, which is the ModifyIndex the readers will report as the revision. Otherwise 0.
/// </param>
/// <param name="Errors">Why Consul rolled the transaction back (a check-and-set conflict); empty when written.</param>
public sealed record ConsulWriteResult(bool IsWritten, ulong Index, IReadOnlyList<string> Errors);
