namespace ReloadHandle.Sources.Etcd;

/// <summary>How the keys under a watched prefix become one payload (one snapshot at one revision).</summary>
/// <remarks>
/// In both layouts the property names are the keys with the prefix removed (UTF-8), in etcd's key order, and the
/// writer's stamp keys (<c>.label</c>, <c>.publisher</c>, <c>.traceparent</c>) are left out. An empty prefix is reported as absent.
/// </remarks>
public enum EtcdPrefixLayout
{
    /// <summary>
    /// A JSON object with one property per key: <c>gateway/routes</c> = <c>[...]</c> and <c>gateway/timeout</c> =
    /// <c>30</c> under prefix <c>gateway/</c> become <c>{"routes":[...],"timeout":30}</c>, which binds to a class
    /// with <c>Routes</c> and <c>Timeout</c>, or to a <c>Dictionary&lt;string, TValue&gt;</c>. A value that is valid
    /// JSON is embedded as it is; any other value is embedded as a JSON string (so <c>etcdctl put gateway/mode fast</c>
    /// gives <c>"mode":"fast"</c>).
    /// </summary>
    JsonObject,

    /// <summary>
    /// A JSON object mapping each key to its raw bytes in base64: binds to <c>Dictionary&lt;string, byte[]&gt;</c>.
    /// Lossless for any value, including binary ones.
    /// </summary>
    BytesMap,
}
