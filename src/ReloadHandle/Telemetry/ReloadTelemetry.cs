namespace ReloadHandle;

/// <summary>
/// The names ReloadHandle uses for its <see cref="System.Diagnostics.ActivitySource"/>, <see cref="System.Diagnostics.Metrics.Meter"/>,
/// span attributes, events and instruments. No OpenTelemetry semantic convention covers configuration reloads yet,
/// so the library owns the <c>reload.*</c> namespace. Renaming any of these is a breaking change.
/// </summary>
public static class ReloadTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> name: add it to your tracer provider.</summary>
    public const string ActivitySourceName = "ReloadHandle";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name: add it to your meter provider.</summary>
    public const string MeterName = "ReloadHandle";

    /// <summary>The reload span's name (low cardinality; the handle is an attribute).</summary>
    public const string ReloadSpanName = "reload";

    /// <summary>The span of a probation, from the reload it watches (linked) to its end: passed, failed (rolled back) or superseded.</summary>
    public const string ProbationSpanName = "reload.probation";

    /// <summary>The span of a reload group's step: the members that went live together, linked to their attempts.</summary>
    public const string GroupSpanName = "reload.group";

    /// <summary>Span attribute and metric tag names.</summary>
    public static class Attributes
    {
        /// <summary>The handle's name.</summary>
        public const string Handle = "reload.handle";

        /// <summary>The kind of source (<c>file</c>, <c>http</c>, <c>etcd</c>, <c>consul</c>, …, or <c>code</c>).</summary>
        public const string Source = "reload.source.kind";

        /// <summary>Where the source reads from, without credentials.</summary>
        public const string SourceLocation = "reload.source.location";

        /// <summary>What caused the attempt: <c>initial</c>, <c>watch</c>, <c>poll</c>, <c>manual</c>, <c>rollback</c>, <c>cache</c>, <c>probation</c>.</summary>
        public const string Trigger = "reload.trigger";

        /// <summary>How the attempt ended: <c>applied</c>, <c>rejected</c>, <c>unchanged</c>, <c>failed</c>.</summary>
        public const string Outcome = "reload.outcome";

        /// <summary>The version serving after the attempt (the new one when applied).</summary>
        public const string Version = "reload.version";

        /// <summary>The version serving before the attempt; 0 when none.</summary>
        public const string PreviousVersion = "reload.previous_version";

        /// <summary>The source's revision of the candidate.</summary>
        public const string SourceRevision = "reload.source.revision";

        /// <summary>Lower-case hex SHA-256 of the candidate's payload.</summary>
        public const string ContentHash = "reload.content_hash";

        /// <summary>The candidate's config id (<see cref="ConfigIdentity"/>): the same content has the same id on every instance.</summary>
        public const string ConfigId = "reload.config.id";

        /// <summary>The candidate's label (<see cref="ISnapshot.Label"/>), when it has one.</summary>
        public const string ConfigLabel = "reload.config.label";

        /// <summary>Who published the candidate (<see cref="ISnapshot.Publisher"/>), when the writer said.</summary>
        public const string Publisher = "reload.publisher";

        /// <summary>How many source changes were coalesced into the attempt.</summary>
        public const string CoalescedChanges = "reload.coalesced_changes";

        /// <summary>The number of errors, on rejected and failed attempts.</summary>
        public const string ErrorCount = "reload.error.count";

        /// <summary>
        /// OpenTelemetry's <c>error.type</c>, on the span and the attempt and duration metrics of rejected and failed
        /// attempts: a low-cardinality class of what went wrong (see <see cref="ErrorTypes"/>).
        /// </summary>
        public const string ErrorType = "error.type";

        /// <summary>On a <see cref="ValidationErrorEvent"/>: the error message, with secrets removed.</summary>
        public const string ErrorMessage = "reload.error.message";

        /// <summary>How a probation ended: <c>passed</c>, <c>failed</c> (rolled back, content quarantined) or <c>superseded</c> (a newer reload came).</summary>
        public const string ProbationOutcome = "reload.probation.outcome";

        /// <summary>The reload group's name, on a <see cref="GroupSpanName"/> span.</summary>
        public const string Group = "reload.group.name";

        /// <summary>The group's version after the step.</summary>
        public const string GroupVersion = "reload.group.version";

        /// <summary>Every member with its version after the step, as <c>name:version,…</c>.</summary>
        public const string GroupMembers = "reload.group.members";

        /// <summary>The state of a source, on the <see cref="Instruments.SourceState"/> gauge.</summary>
        public const string SourceState = "reload.source.state";
    }

    /// <summary>
    /// The values of <see cref="Attributes.ErrorType"/>: the step that refused or failed the candidate. Each is a fixed
    /// word, so a metric tagged with it stays low-cardinality.
    /// </summary>
    public static class ErrorTypes
    {
        /// <summary>Refused before decoding: the source holds no configuration, a rollback target is not in history, or probation refused it.</summary>
        public const string Refused = "refused";

        /// <summary>The payload exceeded the handle's size limit.</summary>
        public const string PayloadTooLarge = "payload_too_large";

        /// <summary>The payload did not decode (not UTF-8, not JSON, a type mismatch, a null where the type has none) or decoded to null.</summary>
        public const string Decode = "decode";

        /// <summary>A validator reported errors or threw (or a value applied by code was null).</summary>
        public const string Validation = "validation";

        /// <summary>The content failed probation earlier and is quarantined.</summary>
        public const string Quarantined = "quarantined";

        /// <summary>The prepare step threw or returned null.</summary>
        public const string Prepare = "prepare";

        /// <summary>A reload group refused the candidate (its partner's change did not come in time, or they are invalid together).</summary>
        public const string Group = "group";

        /// <summary>OpenTelemetry's fallback value, for an error of no other class.</summary>
        public const string Other = "_OTHER";
    }

    /// <summary>
    /// The explicit bucket boundaries, in seconds, advised for the <see cref="Instruments.Duration"/> histogram:
    /// 10 µs to 10 s. A reload is typically a few microseconds to a few milliseconds, so the SDK's default
    /// boundaries (0, 5, 10, 25… seconds, made for requests) would put every reload in the first bucket. A view
    /// configured in the SDK overrides them.
    /// </summary>
    public static IReadOnlyList<double> DurationBucketBoundaries { get; } =
        [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The span event recorded once per validation error.</summary>
    public const string ValidationErrorEvent = "reload.validation_error";

    /// <summary>Instrument names of the <see cref="MeterName"/> meter.</summary>
    public static class Instruments
    {
        /// <summary>Counter of reload attempts, tagged by handle, outcome and trigger.</summary>
        public const string Attempts = "reload.attempts";

        /// <summary>Counter of probations, tagged by handle and <see cref="Attributes.ProbationOutcome"/>.</summary>
        public const string Probations = "reload.probations";

        /// <summary>Histogram of attempt durations in seconds, tagged by handle and outcome.</summary>
        public const string Duration = "reload.duration";

        /// <summary>Gauge of each handle's current version.</summary>
        public const string Version = "reload.version";

        /// <summary>Gauge of seconds since each handle's last successful (applied or unchanged) attempt.</summary>
        public const string TimeSinceSuccess = "reload.time_since_success";

        /// <summary>Gauge of each source's state: 0 connecting, 1 healthy, 2 degraded, 3 disconnected.</summary>
        public const string SourceState = "reload.source.state";

        /// <summary>Gauge of each handle's state: 0 initializing, 1 healthy, 2 degraded, 3 failed.</summary>
        public const string HandleState = "reload.handle.state";

        /// <summary>
        /// Info-style gauge: 1 per handle, tagged with the live <see cref="Attributes.ConfigId"/> (and
        /// <see cref="Attributes.ConfigLabel"/>) — the one metric that carries an id, one series per handle at a time.
        /// </summary>
        public const string ConfigInfo = "reload.config.info";
    }
}
