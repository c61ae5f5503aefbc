using System.Text;
using dotnet_etcd;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>One etcd shared by the tests of the "etcd" collection (they run one after another); each test uses its own keys.</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    public EtcdClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await EtcdServer.StartAsync();
        Client = Server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>A key no other test uses.</summary>
    public static string UniqueKey(string name) => $"test/{name}/{Guid.NewGuid():N}";

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

[CollectionDefinition("etcd")]
public sealed class EtcdCollection : ICollectionFixture<EtcdFixture>;
