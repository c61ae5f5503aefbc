using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using ReloadHandle;

namespace Samples.Admin;

/// <summary>
/// admins.json, the handle <c>admins</c>: who may open the admin port, with which password and role. A reloadable
/// handle like any other: add, rotate or remove an operator by editing the file; a file that does not validate
/// leaves the last good users in force.
/// </summary>
/// <example><code>{ "users": [ { "name": "ops", "password": "a-long-password", "role": "operator" } ] }</code></example>
internal sealed class AdminUsers
{
    public const int MinPasswordLength = 12;

    public static readonly string[] Roles = [AdminRoles.Operator, AdminRoles.Viewer];

    public required IReadOnlyList<AdminUser> Users { get; init; }

    /// <summary>Name → (SHA-256 of the password, role), built by <see cref="Prepare"/>.</summary>
    [JsonIgnore]
    public FrozenDictionary<string, (byte[] PasswordHash, string Role)> ByName { get; init; } = FrozenDictionary<string, (byte[], string)>.Empty;

    // Messages name users, never passwords (the handle would mask them anyway: they are [Secret]).
    public static void Validate(AdminUsers config, ICollection<string> errors)
    {
        if (config.Users is not { Count: > 0 })
        {
            errors.Add("users: at least one user is required");
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var user in config.Users)
        {
            if (string.IsNullOrWhiteSpace(user?.Name) || user.Name.Contains(':', StringComparison.Ordinal))
            {
                errors.Add("users: every user needs a name without ':'");
                continue;
            }

            if (!names.Add(user.Name))
            {
                errors.Add($"user '{user.Name}' is listed twice");
            }

            if (user.Password is not { Length: >= MinPasswordLength })
            {
                errors.Add($"user '{user.Name}': the password must have at least {MinPasswordLength} characters");
            }

            if (!Roles.Contains(user.Role, StringComparer.Ordinal))
            {
                errors.Add($"user '{user.Name}': role must be {string.Join(" or ", Roles)}");
            }
        }
    }

    public static AdminUsers Prepare(AdminUsers config) => new()
    {
        Users = config.Users,
        ByName = config.Users.ToFrozenDictionary(u => u.Name, u => (Hash(u.Password), u.Role), StringComparer.Ordinal),
    };

    /// <summary>The role of <paramref name="name"/> when <paramref name="password"/> is theirs; compared in fixed time.</summary>
    public string? Authenticate(string name, string password) =>
        ByName.TryGetValue(name, out var user) && CryptographicOperations.FixedTimeEquals(Hash(password), user.PasswordHash) ? user.Role : null;

    private static byte[] Hash(string password) => SHA256.HashData(Encoding.UTF8.GetBytes(password));
}

/// <summary>One admin user. A class, not a record: a record's generated ToString would print the password.</summary>
internal sealed class AdminUser
{
    public required string Name { get; init; }

    [Secret]
    public required string Password { get; init; }

    public required string Role { get; init; }
}

/// <summary>The roles of admins.json and the policies built on them.</summary>
internal static class AdminRoles
{
    public const string Operator = "operator";
    public const string Viewer = "viewer";

    /// <summary>Any user of admins.json: may read the dashboard and the API.</summary>
    public const string ViewerPolicy = "reload-viewer";

    /// <summary>Operators: may also roll back and re-read.</summary>
    public const string OperatorPolicy = "reload-admin";
}
