using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Samples.Admin;

/// <summary>The demos' look at the admin port: what an operator sees, and what an anonymous caller and the public port get.</summary>
internal static class AdminCheck
{
    /// <summary>admins.json with one operator.</summary>
    public static string UsersJson(string operatorPassword) => $$"""
        { "users": [ { "name": "ops", "password": "{{operatorPassword}}", "role": "operator" } ] }
        """;

    /// <summary>Reads the handles as <c>ops</c>; returns "name vN (State)" per handle and the status codes an anonymous caller and the public port get.</summary>
    public static async Task<(string Handles, HttpStatusCode Anonymous, HttpStatusCode OnPublicPort)> RunAsync(string adminUrl, string publicUrl, string operatorPassword)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(20) };
        using var anonymous = await http.GetAsync(adminUrl + "api/handles");
        using var onPublic = await http.GetAsync(new Uri(new Uri(publicUrl), AdminPort.Prefix + "/api/handles"));

        using var request = new HttpRequestMessage(HttpMethod.Get, adminUrl + "api/handles");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:" + operatorPassword)));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var handles = document.RootElement.GetProperty("handles").EnumerateArray().Select(h =>
            $"{h.GetProperty("name").GetString()} v{(h.GetProperty("current").ValueKind == JsonValueKind.Null ? 0 : h.GetProperty("current").GetProperty("version").GetInt64())} ({h.GetProperty("state").GetString()})");
        return (string.Join(", ", handles), anonymous.StatusCode, onPublic.StatusCode);
    }
}
