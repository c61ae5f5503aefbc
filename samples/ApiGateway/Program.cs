// ApiGateway: a YARP reverse proxy whose routes, rate limits and API keys reload from files under live traffic;
// every request's span and response say which configuration versions served it.
//   dotnet run --project samples/ApiGateway -- --demo                  self-contained demo; exits 0 when every check passes
//   dotnet run --project samples/ApiGateway -- --config <dir>          gateway on <dir>/routes.json, limits.json, keys.json
//        [--urls http://127.0.0.1:8080] [--admin-urls http://127.0.0.1:8081] [--otel-console]
//        --admin-urls opens the admin port: the dashboard at /reload/, users and roles in <dir>/admins.json
//        [--routes-etcd <endpoints> [--routes-key <key>] [--instance <id>] [--max-routes <n>] [--span-file <path>]]
//                                                                    routes from etcd, as one instance of a fleet (FleetMember.cs)
using ApiGateway;

if (args.Contains("--demo"))
{
    return await Demo.RunAsync();
}

if (Option("--config") is not { } configDirectory)
{
    Console.Error.WriteLine("usage: --demo | --config <dir> [--urls http://127.0.0.1:8080] [--admin-urls http://127.0.0.1:8081] [--otel-console]");
    return 2;
}

var app = await Gateway.BuildAsync(new GatewayOptions(
    Path.GetFullPath(configDirectory),
    Option("--urls") ?? "http://127.0.0.1:8080",
    ConsoleTracing: args.Contains("--otel-console"),
    Fleet: FleetMember.FromArgs(Option),
    AdminUrls: Option("--admin-urls"),
    Instance: Option("--instance")));
await app.RunAsync();
return 0;

string? Option(string name) => Array.IndexOf(args, name) is var at and >= 0 ? args.ElementAtOrDefault(at + 1) : null;
