// LLM gateway sample: an OpenAI-compatible gateway whose model routing, system prompts and keys reload under live
// traffic, each request span tagged with the config versions it ran under. See README.md.
//   dotnet run --project samples/LlmGateway -- --demo                        scripted demo against two fake upstreams
//   dotnet run --project samples/LlmGateway -- --config <dir> [--urls <url>]  serves models.json, prompts.json and keys.json from <dir>
//        [--admin-urls http://127.0.0.1:8091]   opens the admin port: the dashboard at /reload/, users and roles in <dir>/admins.json
using LlmGateway;

if (args.Contains("--demo"))
{
    return await Demo.RunAsync();
}

var at = Array.IndexOf(args, "--config");
if (at < 0 || at + 1 >= args.Length)
{
    Console.Error.WriteLine("usage: LlmGateway --demo | --config <directory with models.json, prompts.json, keys.json> [--urls http://127.0.0.1:8080] [--admin-urls http://127.0.0.1:8091]");
    return 2;
}

await Gateway.Build(args, Path.GetFullPath(args[at + 1])).RunAsync();
return 0;
