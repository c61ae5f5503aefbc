using System.Globalization;
using System.Net.Http;

namespace ReloadHandle.Sources.Consul.Tests.TestUtils;

/// <summary>Reading Consul's answers in the double's own tests, which talk to it with a raw <see cref="HttpClient"/>.</summary>
internal static class ConsulAnswers
{
    public static ulong Index(this HttpResponseMessage response) =>
        ulong.Parse(response.Headers.GetValues("X-Consul-Index").Single(), CultureInfo.InvariantCulture);

    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    public static Task<HttpResponseMessage> ReadAsync(this HttpClient http, string path, string? token = null, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Add("X-Consul-Token", token);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new("Bearer", bearer);
        }

        return http.SendAsync(request);
    }
}
