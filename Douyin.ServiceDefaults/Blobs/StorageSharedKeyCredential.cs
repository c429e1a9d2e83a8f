using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Douyin.ServiceDefaults.Blobs;

/// <summary>An account name and key that sign requests with the Blob service's Shared Key scheme.</summary>
public sealed class StorageSharedKeyCredential(string accountName, string accountKey)
{
    readonly byte[] _key = DecodeKey(accountKey);

    public string AccountName { get; } = accountName;

    /// <summary>The <c>Authorization: SharedKey</c> parameter, signed over the request as it will be sent.</summary>
    internal string GetAuthorizationParameter(HttpRequestMessage request)
    {
        var content = request.Content?.Headers;
        string Header(string name) => request.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

        var stringToSign = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(content is null ? "" : string.Join(",", content.ContentEncoding)).Append('\n')
            .Append(content is null ? "" : string.Join(",", content.ContentLanguage)).Append('\n')
            // Since version 2015-02-21 a zero length signs as empty.
            .Append(content?.ContentLength is long length and > 0 ? length.ToString(CultureInfo.InvariantCulture) : "").Append('\n')
            .Append(content?.ContentMD5 is { } md5 ? Convert.ToBase64String(md5) : "").Append('\n')
            .Append(content?.ContentType?.ToString()).Append('\n')
            .Append('\n') // Date: x-ms-date is sent instead.
            .Append(Header("If-Modified-Since")).Append('\n')
            .Append(Header("If-Match")).Append('\n')
            .Append(Header("If-None-Match")).Append('\n')
            .Append(Header("If-Unmodified-Since")).Append('\n')
            .Append(Header("Range")).Append('\n');

        foreach (var (name, values) in request.Headers
            .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Key.ToLowerInvariant(), Values: h.Value))
            .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            stringToSign.Append(name).Append(':').AppendJoin(",", values.Select(v => v.Trim())).Append('\n');
        }

        var uri = request.RequestUri!;
        stringToSign.Append('/').Append(AccountName).Append(uri.AbsolutePath);
        var query = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .GroupBy(p => Uri.UnescapeDataString(p[0]).ToLowerInvariant(), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "")
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var parameter in query)
        {
            stringToSign.Append('\n').Append(parameter.Key).Append(':').AppendJoin(",", parameter.Order(StringComparer.Ordinal));
        }

        var signature = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign.ToString()));
        return $"{AccountName}:{Convert.ToBase64String(signature)}";
    }

    static byte[] DecodeKey(string accountKey)
    {
        try
        {
            return Convert.FromBase64String(accountKey);
        }
        catch (FormatException ex)
        {
            throw new FormatException("The storage account key is not valid base64.", ex);
        }
    }
}
