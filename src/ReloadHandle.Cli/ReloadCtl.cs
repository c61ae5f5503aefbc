using System.CommandLine;
using System.CommandLine.Help;
using ReloadHandle.Cli.Commands;

namespace ReloadHandle.Cli;

/// <summary>The command tree and its invocation: usage errors are one line and exit code 2, never a help dump or a stack trace.</summary>
internal static class ReloadCtl
{
    public static RootCommand Create() => new("reloadctl: publish ReloadHandle configuration to etcd with a label, the publisher and the trace; wait for the fleet to ACK it; status, history, rollback. Exit codes: 0 ok, 1 store failure, 2 usage, 3 rejected (NACK), 4 timeout, 5 conflict, 6 not found, 130 canceled.")
    {
        PublishCommand.Create(),
        WaitCommand.Create(),
        StatusCommand.Create(),
        HistoryCommand.Create(),
        RollbackCommand.Create(),
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            var command = parse.CommandResult.Command;
            var help = command is RootCommand ? "reloadctl --help" : $"reloadctl {command.Name} --help";
            var errors = string.Join(" ", parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal));
            return CommandRunner.Fail(ExitCodes.Usage, $"{errors} (see {help})");
        }

        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
    }
}
