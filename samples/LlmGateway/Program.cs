// LLM gateway sample: an OpenAI-compatible gateway whose model routing, system prompts and keys reload under live
// traffic, each request span tagged with the config versions it ran under. See README.md.
//   dotnet run --project samples/LlmGateway -- --demo                          scripted demo against fake upstreams; exits 0 when every check passed
//   dotnet run --project samples/LlmGateway -- --fake-upstreams [--config <dir>] [--urls <url>]
//        starts two local fake upstreams (127.0.0.1:8101, :8102; --fake-upstream-ports 0,0 for any free ones) and the
//        gateway on them; writes a default config into <dir> (a new temp directory unless given) where files are missing
//   dotnet run --project samples/LlmGateway -- --config <dir> [--urls <url>]    serves models.json, prompts.json and keys.json from <dir>
//   with either:
//        [--admin-urls http://127.0.0.1:8091]   opens the admin port: the dashboard at /reload/, users and roles in <dir>/admins.json
//        [--otel-console] [--instance <id>]     spans and metrics to the console; OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set
using LlmGateway;

// The host reads --key value pairs; give the flags a value so none swallows the next argument.
string[] flags = ["--demo", "--fake-upstreams", "--otel-console"];
var hostArgs = args.Select(arg => flags.Contains(arg) ? arg + "=true" : arg).ToArray();
var options = new ConfigurationBuilder().AddCommandLine(hostArgs).Build();

if (options.GetValue<bool>("demo"))
{
    return await Demo.RunAsync();
}

if (options.GetValue<bool>("fake-upstreams"))
{
    return await LocalUpstreams.RunAsync(hostArgs, options);
}

if (options["config"] is not { } configDirectory)
{
    Console.Error.WriteLine("usage: LlmGateway --demo | --fake-upstreams [--config <dir>] | --config <directory with models.json, prompts.json, keys.json>");
    Console.Error.WriteLine("       [--urls http://127.0.0.1:8080] [--admin-urls http://127.0.0.1:8091] [--otel-console] [--instance <id>]");
    return 2;
}

await Gateway.Build(hostArgs, Path.GetFullPath(configDirectory)).RunAsync();
return 0;
