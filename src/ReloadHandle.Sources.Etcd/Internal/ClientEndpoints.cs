using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using dotnet_etcd;

namespace ReloadHandle.Sources.Etcd.Internal;

/// <summary>
/// The endpoints of the clients <see cref="EtcdClientFactory"/> created, for failure messages: dotnet-etcd does not
/// expose them. User info (<c>user:password@</c>) is removed before they are kept.
/// </summary>
internal static partial class ClientEndpoints
{
    private static readonly ConditionalWeakTable<EtcdClient, string> Known = [];

    public static void Remember(EtcdClient client, string endpoints) =>
        Known.AddOrUpdate(client, string.Join(", ", endpoints.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(e => UserInfo().Replace(e, "$1"))));

    /// <summary><c>etcd at http://10.0.0.1:2379, http://10.0.0.2:2379</c>; plain <c>etcd</c> for a client built elsewhere.</summary>
    public static string Describe(EtcdClient client) => Known.TryGetValue(client, out var endpoints) ? $"etcd at {endpoints}" : "etcd";

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*://)?[^/@]*@")]
    private static partial Regex UserInfo();
}
