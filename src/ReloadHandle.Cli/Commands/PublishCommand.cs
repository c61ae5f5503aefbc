using System.CommandLine;

namespace ReloadHandle.Cli.Commands;

/// <summary><c>reloadctl publish &lt;file&gt;</c>: writes a file to a key (or a JSON object's members to a prefix) with its stamp.</summary>
internal static class PublishCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "the configuration to publish, byte for byte (- reads standard input); with --prefix, a JSON object: one key per member" };
        var label = new Option<string>("--label") { Description = $"a label for the content, such as a release or a commit [env {Env.Label}]", HelpName = "text" };
        var publisher = new Option<string>("--publisher") { Description = $"who publishes [env {Env.Publisher}; default: the CI job (GitHub, GitLab, Azure, Jenkins variables) or user@host]", HelpName = "name" };
        var expect = new Option<long?>("--expect-revision") { Description = "write only if the key is still at this revision (0: only if it does not exist)", HelpName = "revision" };
        var raw = new Option<bool>("--raw") { Description = "do not check that the file is well-formed JSON (for readers with another decoder)" };
        var store = new StoreOptions();
        var key = new KeyOptions(required: true);
        var command = new Command("publish", "Publish a file to a key with a label, the publisher and the trace (TRACEPARENT) in one transaction. The readers' own rules run only in the readers: follow with 'reloadctl wait' to see every instance ACK or NACK it.")
        {
            file, label, publisher, expect, raw,
        };
        key.AddTo(command);
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(
            async () =>
            {
                var prefix = key.IsPrefix(parse);
                var content = await ContentFile.ReadAsync(parse.GetValue(file)!, prefix, cancellationToken).ConfigureAwait(false);
                var backend = await store.OpenAsync(parse, cancellationToken).ConfigureAwait(false);
                await using (backend.ConfigureAwait(false))
                {
                    await Publishing.WriteAsync(
                        "reloadctl publish",
                        backend.Kind,
                        backend.OpenConfig(key.Key(parse)!, prefix),
                        content,
                        parse.GetValue(label) ?? Env.Get(Env.Label),
                        PublisherIdentity.Resolve(parse.GetValue(publisher)),
                        parse.GetValue(expect),
                        checkJson: !parse.GetValue(raw),
                        cancellationToken).ConfigureAwait(false);
                }

                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }
}
