// ApiGateway: a YARP reverse proxy whose routes, rate limits and API keys reload from files under live traffic;
// every request's span and response say which configuration versions served it.
//   dotnet run --project samples/ApiGateway -c Release -- --demo        self-contained demo; exits 0 when every check passes
//   dotnet run --project samples/ApiGateway -c Release -- --config <dir> [--fake-upstreams [--fake-upstream-ports 5001,5002]]
//        gateway on <dir>/routes.json, limits.json, keys.json; a missing or empty <dir> gets a starter config
//        (StarterConfig.cs); --fake-upstreams starts the demo's blue and green upstreams it routes to
//        (with --fake-upstreams alone, the config goes into a new temp directory)
//        [--urls http://127.0.0.1:8080] [--admin-urls http://127.0.0.1:8081] [--otel-console] [--instance <id>]
//        --admin-urls opens the admin port: the dashboard at /reload/, users and roles in <dir>/admins.json
//        [--https-urls https://127.0.0.1:8443 --certificate <dir>]   HTTPS, the certificate reloading from <dir> (HttpsEndpoint.cs)
//        [--routes-etcd <endpoints> [--routes-key <key>] [--instance <id>] [--max-routes <n>] [--span-file <path>]]
//                                                                    routes from etcd, as one instance of a fleet (FleetMember.cs)
using ApiGateway;

if (args.Contains("--demo"))
{
    return await Demo.RunAsync();
}

var fakeUpstreams = args.Contains("--fake-upstreams");
if ((Option("--config") ?? (fakeUpstreams ? Directory.CreateTempSubdirectory("api-gateway-").FullName : null)) is not { } configOption)
{
    Console.Error.WriteLine("usage: --demo | --config <dir> [--fake-upstreams] | --fake-upstreams");
    Console.Error.WriteLine("       [--urls http://127.0.0.1:8080] [--admin-urls http://127.0.0.1:8081] [--otel-console] [--instance <id>]");
    Console.Error.WriteLine("       [--https-urls https://127.0.0.1:8443 --certificate <dir>]");
    return 2;
}

if (Option("--https-urls") is not null && Option("--certificate") is null)
{
    Console.Error.WriteLine("--https-urls needs --certificate <dir>: a directory with fullchain.pem and privkey.pem, tls.crt and tls.key, or cert.pem and key.pem");
    return 2;
}

var configDirectory = Path.GetFullPath(configOption);
await using var upstreams = fakeUpstreams ? await LocalUpstreams.StartAsync(Option("--fake-upstream-ports")) : null;
if (fakeUpstreams && upstreams is null)
{
    return 2;
}

if (StarterConfig.WriteIfMissing(configDirectory, upstreams?.BlueUrl ?? StarterConfig.BlueUrl, upstreams?.GreenUrl ?? StarterConfig.GreenUrl))
{
    Console.WriteLine($"wrote a starter config into {configDirectory}: routes.json (/orders and /catalog to blue), limits.json, keys.json (key {StarterConfig.Key}, for trying it locally)");
}

if (upstreams is not null)
{
    Console.WriteLine($"fake upstreams: blue {upstreams.BlueUrl}, green {upstreams.GreenUrl}");
}

await using var app = await Gateway.BuildAsync(new GatewayOptions(
    configDirectory,
    Option("--urls") ?? "http://127.0.0.1:8080",
    ConsoleTracing: args.Contains("--otel-console"),
    Fleet: FleetMember.FromArgs(Option),
    AdminUrls: Option("--admin-urls"),
    Instance: Option("--instance"),
    Https: Option("--https-urls") is { } httpsUrls ? new GatewayHttps(httpsUrls, Option("--certificate")!) : null));
await app.StartAsync();
Console.WriteLine($"gateway {app.Urls.First()} on the config in {configDirectory} (edit a file: it reloads; Ctrl+C stops)");
Console.WriteLine($"try: curl -i {app.Urls.First()}/orders/1 -H '{GatewayMiddleware.ApiKeyHeader}: {StarterConfig.Key}'");
await app.WaitForShutdownAsync();
return 0;

string? Option(string name) => Array.IndexOf(args, name) is var at and >= 0 ? args.ElementAtOrDefault(at + 1) : null;
