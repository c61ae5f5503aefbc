using ApiGateway;

namespace Samples.ApiGateway.Tests;

/// <summary>Each config type reports every problem of a file at once, in words an operator can act on.</summary>
public sealed class ValidationTests
{
    [Fact]
    public void Routes_report_every_problem()
    {
        var table = new RouteTable(
            [new("orders", "/orders", "blue"), new("orders", "catalog", "red"), new("search", "/orders/", "blue")],
            [new("blue", ["http://127.0.0.1:5001/", "/relative", "ftp://files.example/"]), new("BLUE", [])]);

        Errors<RouteTable>(RouteTable.Validate, table).Should().BeEquivalentTo(
            "cluster 'blue': destination '/relative' is not an absolute http(s) URL",
            "cluster 'blue': destination 'ftp://files.example/' is not an absolute http(s) URL",
            "cluster id 'BLUE' is empty or not unique",
            "cluster 'BLUE': at least one destination is required",
            "route id 'orders' is empty or not unique",
            "route 'orders': path prefix 'catalog' must start with '/', hold no '{', '}', '?' or '#', and be unique",
            "route 'orders': cluster 'red' is not defined",
            "route 'search': path prefix '/orders/' must start with '/', hold no '{', '}', '?' or '#', and be unique");
    }

    [Fact]
    public void Routes_compile_to_YARP_routes_that_match_the_prefix_and_everything_below_it()
    {
        var table = RouteTable.Compile(new RouteTable([new("orders", "/orders/", "blue")], [new("blue", ["http://127.0.0.1:5001/", "http://127.0.0.1:5002/"])]));

        table.ProxyRoutes.Should().ContainSingle().Which.Match.Path.Should().Be("/orders/{**rest}");
        table.ProxyClusters.Should().ContainSingle().Which.Destinations!.Values.Select(d => d.Address)
            .Should().Equal("http://127.0.0.1:5001/", "http://127.0.0.1:5002/");
    }

    [Fact]
    public void Limits_must_be_positive()
    {
        var limits = new RateLimits(new Dictionary<string, RouteLimit> { ["orders"] = new(0, 5), ["catalog"] = new(10, 0), ["search"] = new(10, 1) });

        Errors<RateLimits>(RateLimits.Validate, limits).Should().BeEquivalentTo(
            "route 'orders': requestsPerSecond must be positive and burst at least 1",
            "route 'catalog': requestsPerSecond must be positive and burst at least 1");
    }

    [Fact]
    public void Limits_compile_to_token_buckets_that_allow_their_burst_then_refuse()
    {
        var limits = RateLimits.Compile(new RateLimits(new Dictionary<string, RouteLimit> { ["orders"] = new(0.001, 3) }));
        using var bucket = new System.Threading.RateLimiting.TokenBucketRateLimiter(limits.Buckets["ORDERS"]); // route ids ignore case, as YARP's do

        Enumerable.Range(0, 5).Select(_ => bucket.AttemptAcquire().IsAcquired).Should().Equal(true, true, true, false, false);
        limits.Buckets.Should().NotContainKey("catalog", "a route without a limit is not limited");
    }

    [Fact]
    public void Keys_errors_name_the_client_never_the_key()
    {
        var keys = new ApiKeys([new("alpha", ["alpha-key-0123456789", "short-key"]), new("beta", ["alpha-key-0123456789"]), new("", [])]);

        var errors = Errors<ApiKeys>(ApiKeys.Validate, keys);

        errors.Should().BeEquivalentTo(
            "client 'alpha': every key must have at least 16 characters",
            "client 'beta': a key is listed twice",
            "client '': a name and at least one key are required");
        errors.Should().NotContain(e => e.Contains("alpha-key-0123456789", StringComparison.Ordinal) || e.Contains("short-key", StringComparison.Ordinal));
    }

    private static List<string> Errors<T>(Action<T, ICollection<string>> validate, T value)
    {
        var errors = new List<string>();
        validate(value, errors);
        return errors;
    }
}
