namespace ReloadHandle.Cli.Tracing;

/// <summary>Attribute names of the tool's spans: the library's <c>reload.*</c> names where they mean the same, <c>reloadctl.*</c> otherwise.</summary>
internal static class SpanTags
{
    public const string ConfigId = ReloadTelemetry.Attributes.ConfigId;
    public const string ConfigLabel = ReloadTelemetry.Attributes.ConfigLabel;
    public const string Publisher = ReloadTelemetry.Attributes.Publisher;
    public const string Handle = ReloadTelemetry.Attributes.Handle;
    public const string Store = "reloadctl.store";
    public const string Target = "reloadctl.target";
    public const string Revision = "reloadctl.revision";
    public const string Outcome = "reloadctl.outcome";
    public const string Running = "reloadctl.instances.running";
    public const string Rejected = "reloadctl.instances.rejected";
    public const string Behind = "reloadctl.instances.behind";
}
