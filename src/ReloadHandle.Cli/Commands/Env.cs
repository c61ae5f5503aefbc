namespace ReloadHandle.Cli.Commands;

/// <summary>The environment variables the tool reads (README.md lists them).</summary>
internal static class Env
{
    public const string Etcd = "RELOADCTL_ETCD";
    public const string EtcdUser = "RELOADCTL_ETCD_USER";
    public const string EtcdPassword = "RELOADCTL_ETCD_PASSWORD";
    public const string EtcdCa = "RELOADCTL_ETCD_CA";
    public const string Key = "RELOADCTL_KEY";
    public const string Handle = "RELOADCTL_HANDLE";
    public const string Label = "RELOADCTL_LABEL";
    public const string Publisher = "RELOADCTL_PUBLISHER";

    /// <summary>The variable's value, or <see langword="null"/> when it is unset or blank.</summary>
    public static string? Get(string name) => Environment.GetEnvironmentVariable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
