using System.Text.Json;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using ReloadHandle.Sources;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>Creates sources through the public builder extensions, and small etcd write helpers.</summary>
public static class TestSources
{
    public static ISource Create(EtcdClient client, string key, Action<EtcdSourceOptions>? configure = null) =>
        new CapturingBuilder().FromEtcd(client, key, configure).CreateSource();

    public static ISource Create(EtcdClient client, byte[] key, Action<EtcdSourceOptions>? configure = null) =>
        new CapturingBuilder().FromEtcd(client, key, configure).CreateSource();

    public static ISource Create(string endpoints, string key, Action<EtcdSourceOptions>? configure = null) =>
        new CapturingBuilder().FromEtcd(endpoints, key, configure).CreateSource();

    /// <summary>A change's revision as the number etcd gave it.</summary>
    public static long Revision(SourceChange change) => long.Parse(change.Revision!, System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<long> SetAsync(this EtcdClient client, string key, string value, long lease = 0) =>
        (await client.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value), Lease = lease })).Header.Revision;

    /// <summary>Puts and deletes several keys in one transaction (one revision).</summary>
    public static async Task<long> TxnAsync(this EtcdClient client, IEnumerable<(string Key, string? Value)> writes)
    {
        var txn = new TxnRequest();
        foreach (var (key, value) in writes)
        {
            txn.Success.Add(value is null
                ? new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(key) } }
                : new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) } });
        }

        var response = await client.TransactionAsync(txn);
        return response.Header.Revision;
    }
}
