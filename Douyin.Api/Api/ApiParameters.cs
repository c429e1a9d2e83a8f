using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Douyin.Api;

/// <summary>
/// The client sends every parameter in the query string; the official tests repeat them in a url-encoded body,
/// and GET list calls may carry a form body too (shared/api/douyin-api.md §1.2). So: query first, then form.
/// Multipart bodies are never read here (publish streams its own upload).
/// </summary>
public sealed class ApiParameters : IBindableFromHttpContext<ApiParameters>
{
    readonly IQueryCollection _query;
    readonly IFormCollection? _form;

    ApiParameters(HttpContext context, IFormCollection? form)
    {
        _query = context.Request.Query;
        _form = form;
        HttpContext = context;
    }

    public HttpContext HttpContext { get; }

    public static async ValueTask<ApiParameters?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        IFormCollection? form = null;
        if (context.Request.HasFormContentType
            && !context.Request.ContentType!.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (InvalidDataException)
            {
                // A malformed body is ignored; the query string still counts.
            }
        }
        return new ApiParameters(context, form);
    }

    public string? this[string name] => GetString(name);

    public string? GetString(string name)
    {
        if (_query.TryGetValue(name, out var values) && First(values) is { } fromQuery)
        {
            return fromQuery;
        }
        return _form is not null && _form.TryGetValue(name, out values) ? First(values) : null;
    }

    /// <summary>Reads an optional 64-bit integer; absent or empty means <paramref name="defaultValue"/>.</summary>
    public bool TryGetInt64(string name, out long value, [NotNullWhen(false)] out ApiError? error, long defaultValue = 0)
    {
        error = null;
        var raw = GetString(name);
        if (string.IsNullOrWhiteSpace(raw))
        {
            value = defaultValue;
            return true;
        }
        if (long.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }
        error = ApiError.BadRequest($"{name} must be a whole number.");
        return false;
    }

    /// <summary>Reads a required positive id.</summary>
    public bool TryGetId(string name, out long id, [NotNullWhen(false)] out ApiError? error)
    {
        if (!TryGetInt64(name, out id, out error))
        {
            return false;
        }
        if (id > 0)
        {
            return true;
        }
        error = ApiError.BadRequest($"{name} is required and must be a positive id.");
        return false;
    }

    /// <summary>The token from <c>token</c> (query, then form) or an <c>Authorization: Bearer</c> header.</summary>
    public string? Token => GetString("token") ?? BearerToken(HttpContext.Request);

    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    static string? First(StringValues values)
    {
        foreach (var value in values)
        {
            if (!string.IsNullOrEmpty(value))
            {
                return value;
            }
        }
        return null;
    }
}
