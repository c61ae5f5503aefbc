using System.Globalization;
using Etcdserverpb;
using Google.Protobuf;
using Mvccpb;

namespace ReloadHandle.Sources.Etcd.Internal;

/// <summary>
/// What a source knows of its key or prefix: the live keys, the writer's stamp keys (label, publisher, traceparent),
/// the revision it reflects and the revision to watch from. Changed only by the source's one running enumeration.
/// </summary>
internal sealed class KeySpace
{
    private readonly EtcdTarget _target;
    private readonly SortedDictionary<ByteString, KeyValue> _keys = new(ByteStringComparer.Instance);
    private readonly Dictionary<string, KeyValue> _stamps = new(StringComparer.Ordinal);
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
            // Only the configuration's own keys date it: stamps and neighbours written later must not.
            if (space.Put(kv) && target.Holds(kv.Key.Span))
            {
                space._lastChange = Math.Max(space._lastChange, kv.ModRevision);
            }
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

    /// <summary>
    /// Applies one watch event; <see langword="true"/> if the payload changed. A stamp key is kept for the state of its
    /// revision, but alone it changes nothing: stamps describe a write of the value, not a change of their own.
    /// </summary>
    public bool Apply(Event change)
    {
        var kv = change.Kv;
        WatchFrom = Math.Max(WatchFrom, kv.ModRevision + 1);
        if (!(change.Type == Event.Types.EventType.Put ? Put(kv) : Delete(kv.Key)) || !_target.Holds(kv.Key.Span))
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

        var payload = _target.IsPrefix
            ? _target.Compose(_keys.Values.Select(kv => (kv.Key.Memory, kv.Value.Memory)))
            : _keys.Values.First().Value.Memory;
        return new SourceChange(payload, revision, Metadata());
    }

    /// <summary>The stamps that belong to this state: written in the same revision as its last change, and not empty.</summary>
    private Dictionary<string, string>? Metadata()
    {
        Dictionary<string, string>? metadata = null;
        foreach (var (name, stamp) in _stamps)
        {
            if (stamp.ModRevision == _lastChange && !stamp.Value.IsEmpty)
            {
                (metadata ??= new Dictionary<string, string>(_stamps.Count, StringComparer.Ordinal))[name] = stamp.Value.ToStringUtf8();
            }
        }

        return metadata;
    }

    private bool Put(KeyValue kv)
    {
        var key = kv.Key.Span;
        if (_target.StampOf(key) is { } stamp)
        {
            _stamps[stamp] = kv;
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
        if (_target.StampOf(key.Span) is { } stamp)
        {
            return _stamps.Remove(stamp);
        }

        return _keys.Remove(key);
    }

    private sealed class ByteStringComparer : IComparer<ByteString>
    {
        public static readonly ByteStringComparer Instance = new();

        public int Compare(ByteString? x, ByteString? y) => x!.Span.SequenceCompareTo(y!.Span);
    }
}
