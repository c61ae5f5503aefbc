// reloadctl: publish configuration with a label, the publisher and the caller's trace; wait for the fleet to ACK it
// (a deploy gate); show the fleet's status; list a key's history; roll back. Exit codes: see ExitCodes and README.md.
using ReloadHandle.Cli;
using ReloadHandle.Cli.Tracing;

using var tracing = CliTracing.Start();
return await ReloadCtl.RunAsync(args).ConfigureAwait(false);
