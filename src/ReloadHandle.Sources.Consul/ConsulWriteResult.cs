namespace ReloadHandle.Sources.Consul;

/// <summary>The result of a write by <see cref="ConsulKvWriter"/>.</summary>
/// <param name="IsWritten"><see langword="true"/> when Consul applied the transaction.</param>
/// <param name="Index">
/// When written: the revision the readers report for this content — a key's ModifyIndex (unchanged when the write left
/// the value as it was: Consul then keeps its ModifyIndex), or for a folder the transaction's index. Otherwise 0.
/// </param>
/// <param name="Errors">Why Consul rolled the transaction back (a check-and-set conflict); empty when written.</param>
public sealed record ConsulWriteResult(bool IsWritten, ulong Index, IReadOnlyList<string> Errors)
{
    /// <summary>
    /// The config id (<see cref="ConfigIdentity.Of"/>) of the content as the readers receive it — for a folder, of the
    /// composed document — whatever the outcome: the id the fleet reports once it runs this content
    /// (<c>FleetTarget.Id(result.ConfigId)</c>).
    /// </summary>
    public string? ConfigId { get; init; }
}
