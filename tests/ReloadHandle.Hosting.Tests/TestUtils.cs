using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ReloadHandle.Hosting.Tests;

public sealed class Gateway
{
    [Required]
    public string Upstream { get; set; } = "";

    [Range(1, 300)]
    public int TimeoutSeconds { get; set; }

    [Secret]
    public string? ApiKey { get; set; }

    [ValidateObjectMembers]
    public Retry? Retry { get; set; }
}

public sealed class Retry
{
    [Range(0, 10)]
    public int Attempts { get; set; }
}

internal static class Json
{
    public static string Gateway(string upstream, int timeoutSeconds) =>
        $$"""{"upstream":"{{upstream}}","timeoutSeconds":{{timeoutSeconds}}}""";
}

internal static class TestHost
{
    /// <summary>A real generic host with nothing but what the test registers (and <paramref name="clock"/> as its TimeProvider).</summary>
    public static IHost Build(Action<IServiceCollection> configure, TimeProvider? clock = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }

        configure(builder.Services);
        return builder.Build();
    }
}
