using System.Security.Cryptography;

namespace ReloadHandle.Pipeline;

/// <summary>Lower-case hex SHA-256 of a payload: the identity used to tell "unchanged" from "changed".</summary>
internal static class ContentHash
{
    public static string Of(ReadOnlySpan<byte> payload)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(payload, digest);
#if NET9_0_OR_GREATER
        return Convert.ToHexStringLower(digest);
#else
        return string.Create(digest.Length * 2, digest.ToArray(), static (chars, bytes) =>
        {
            const string Digits = "0123456789abcdef";
            for (var i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = Digits[bytes[i] >> 4];
                chars[(2 * i) + 1] = Digits[bytes[i] & 0xF];
            }
        });
#endif
    }
}
