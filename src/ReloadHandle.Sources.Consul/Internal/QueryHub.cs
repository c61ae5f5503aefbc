namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// The blocking queries of one <see cref="ConsulClient"/>, one per distinct <see cref="QueryKey"/>: sources lease a
/// query when they first watch and release it when disposed; a query nobody leases is dropped.
/// </summary>
internal sealed class QueryHub(ConsulHttp http)
{
    private readonly Dictionary<QueryKey, Lease> _queries = [];
    private bool _closed;

    /// <summary>How many distinct queries are leased (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_queries)
            {
                return _queries.Count;
            }
        }
    }

    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    public SharedQuery Acquire(QueryKey key, string what)
    {
        lock (_queries)
        {
            if (_closed)
            {
                throw ConsulClient.Disposed();
            }

            if (!_queries.TryGetValue(key, out var lease))
            {
                lease = new Lease(new SharedQuery(new KvReader(http, key, what), key));
                _queries[key] = lease;
            }

            lease.Count++;
            return lease.Query;
        }
    }

    public void Release(QueryKey key)
    {
        lock (_queries)
        {
            if (_queries.TryGetValue(key, out var lease) && --lease.Count == 0)
            {
                _queries.Remove(key);
            }
        }
    }

    /// <summary>Stops every query; their followers fail, and no new query can be leased.</summary>
    public void Close()
    {
        List<SharedQuery> queries;
        lock (_queries)
        {
            _closed = true;
            queries = [.. _queries.Values.Select(l => l.Query)];
            _queries.Clear();
        }

        foreach (var query in queries)
        {
            query.Stop(ConsulClient.Disposed());
        }
    }

    private sealed class Lease(SharedQuery query)
    {
        public SharedQuery Query { get; } = query;

        public int Count { get; set; }
    }
}
