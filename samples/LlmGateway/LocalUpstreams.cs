using System.Globalization;
using Samples.Admin;

namespace LlmGateway;

/// <summary>
/// <c>--fake-upstreams</c>: the gateway as it normally runs (until Ctrl+C, the files watched), in front of two local
/// fake upstreams instead of a provider — for a newcomer to try it without a key or the internet. Missing config
/// files are written with defaults that point at the fakes, with fixed local-only keys, so the README's commands work
/// as they are; files that exist are left alone.
/// </summary>
internal static class LocalUpstreams
{
    /// <summary>The client key of tenant acme in the default keys.json (local fakes only: never put it in front of a real provider).</summary>
    public const string ClientKey = "gw-acme-local-try-it";
    public const string AlphaKey = "fake-alpha-local-key";
    public const string BetaKey = "fake-beta-local-key";
    public const int AlphaPort = 8101;
    public const int BetaPort = 8102;

    public static async Task<int> RunAsync(string[] hostArgs, IConfiguration options)
    {
        var ports = (options["fake-upstream-ports"] ?? $"{AlphaPort},{BetaPort}").Split(',');
        if (ports.Length != 2 || !ports.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            Console.Error.WriteLine("--fake-upstream-ports takes two ports, such as 8101,8102 (0 for any free one)");
            return 2;
        }

        var config = new ConfigDirectory(Path.GetFullPath(options["config"] ?? Directory.CreateTempSubdirectory("llm-gateway-").FullName));
        Directory.CreateDirectory(config.Path);
        await using var alpha = await FakeUpstream.StartAtAsync($"http://127.0.0.1:{ports[0]}", "alpha", AlphaKey);
        await using var beta = await FakeUpstream.StartAtAsync($"http://127.0.0.1:{ports[1]}", "beta", BetaKey);
        await WriteMissingAsync(config, "models.json", ConfigDirectory.Models(alpha.BaseUrl, beta.BaseUrl, chatFallback: "beta"));
        await WriteMissingAsync(config, "prompts.json", ConfigDirectory.Prompts());
        await WriteMissingAsync(config, "keys.json", ConfigDirectory.Keys([ClientKey], AlphaKey, BetaKey));
        var adminPassword = "local-" + Guid.NewGuid().ToString("N");
        var newAdmins = options["admin-urls"] is not null && await WriteMissingAsync(config, "admins.json", AdminCheck.UsersJson(adminPassword));

        await using var gateway = Gateway.Build(hostArgs, config.Path);
        await gateway.StartAsync();
        var url = gateway.Urls.First() + "/v1";
        Console.WriteLine($"gateway {url}; fake upstreams alpha {alpha.BaseUrl}, beta {beta.BaseUrl}; config in {config.Path} (edit it: it reloads)");
        Console.WriteLine($"try: curl -s {url}/chat/completions -H \"Authorization: Bearer {ClientKey}\" -H \"Content-Type: application/json\" " +
            "-d '{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}'");
        if (newAdmins)
        {
            Console.WriteLine($"admin port {gateway.Services.GetRequiredService<AdminPort>().Url} as ops / {adminPassword}");
        }

        await gateway.WaitForShutdownAsync();
        return 0;
    }

    private static async Task<bool> WriteMissingAsync(ConfigDirectory config, string file, string json)
    {
        if (File.Exists(Path.Combine(config.Path, file)))
        {
            return false;
        }

        await config.WriteAsync(file, json);
        return true;
    }
}
