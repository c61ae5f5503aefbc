using System.Globalization;
using Etcdserverpb;
using Google.Protobuf;
using Mvccpb;

namespace ReloadHandle.Sources.Etcd.Internal;

/// <summary>
/// What a source knows of its key or prefix: the live keys, the writer's trace key, the revision it reflects and the
/// revision to watch from. Changed only by the source's one running enumeration.
/// </summary>
internal sealed class KeySpace
{
    private readonly EtcdTarget _target;
    private readonly SortedDictionary<ByteString, KeyValue> _keys = new(ByteStringComparer.Instance);
    private KeyValue? _trace;
    private long _revision;
    private long _lastChange;

    private KeySpace(EtcdTarget target) => _target = target;

    /// <summary>The next revision a watch must start at so that nothing after this state is missed.</summary>
    public long WatchFrom { get; private set; }

    /// <summary>The revision this state reflects.</summary>
    public long Revision => _revision;

    /// <summary>The store this state was read from; a response from another one means a full read.</summary>
    public StoreIdentity Store { get; } = new();

    /// <summary>The state read by a Range at one revision.</summary>
    public static KeySpace FromRange(EtcdTarget target, RangeResponse range)
    {
        var space = new KeySpace(target) { WatchFrom = range.Header.Revision + 1 };
        space.Store.Continues(range.Header);
        foreach (var kv in range.Kvs)
        {
            space.Put(kv);
            space._lastChange = Math.Max(space._lastChange, kv.ModRevision);
        }

        // A key reports its own mod_revision; a prefix, the revision it was read at.
        space._revision = !target.IsPrefix && space._keys.Count == 1 ? space._keys.Values.First().ModRevision : range.Header.Revision;
        return space;
    }

    /// <summary>Notes a progress notification: everything up to its header revision has been sent.</summary>
    public void Progress(WatchResponse response)
    {
        if (response.Header is { Revision: > 0 } header)
        {
            WatchFrom = Math.Max(WatchFrom, header.Revision + 1);
        }
    }

    /// <summary>Applies one watch event; <see langword="true"/> if the payload or its metadata may have changed.</summary>
    public bool Apply(Event change)
    {
        var kv = change.Kv;
        WatchFrom = Math.Max(WatchFrom, kv.ModRevision + 1);
        if (!(change.Type == Event.Types.EventType.Put ? Put(kv) : Delete(kv.Key)))
        {
            return false;
        }

        _lastChange = kv.ModRevision;
        _revision = !_target.IsPrefix && _keys.Count == 1 ? _keys.Values.First().ModRevision : _lastChange;
        return true;
    }

    /// <summary>This state as the source reports it.</summary>
    public SourceChange ToChange()
    {
        var revision = _revision.ToString(CultureInfo.InvariantCulture);
        if (_keys.Count == 0)
        {
            return SourceChange.Absent(revision);
        }

        // The trace key belongs to this state only if it was written in the same revision as its last change.
        var metadata = _trace is { } trace && trace.ModRevision == _lastChange && !trace.Value.IsEmpty
            ? new Dictionary<string, string>(1) { [SourceMetadataKeys.TraceParent] = trace.Value.ToStringUtf8() }
            : null;
        var payload = _target.IsPrefix
            ? _target.Compose(_keys.Values.Select(kv => (kv.Key.Memory, kv.Value.Memory)))
            : _keys.Values.First().Value.Memory;
        return new SourceChange(payload, revision, metadata);
    }

    private bool Put(KeyValue kv)
    {
        var key = kv.Key.Span;
        if (key.SequenceEqual(_target.TraceKey))
        {
            _trace = kv;
            return true;
        }

        if (!_target.Holds(key))
        {
            return false; // a neighbour inside the watched range of a single key
        }

        _keys[kv.Key] = kv;
        return true;
    }

    private bool Delete(ByteString key)
    {
        if (key.Span.SequenceEqual(_target.TraceKey))
        {
            _trace = null;
            return true;
        }

        return _keys.Remove(key);
    }

    private sealed class ByteStringComparer : IComparer<ByteString>
    {
        public static readonly ByteStringComparer Instance = new();

        public int Compare(ByteString? x, ByteString? y) => x!.Span.SequenceCompareTo(y!.Span);
    }
}
