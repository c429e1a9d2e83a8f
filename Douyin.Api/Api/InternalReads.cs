using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Douyin.Api;

public static class InternalReads
{
    /// <summary>
    /// A batched read between our services: a POST (the ids do not fit a URL) marked safe to retry, in the API's
    /// snake_case JSON. Anything but a 2xx answer throws <see cref="HttpRequestException"/>.
    /// </summary>
    public static async Task<TResponse?> PostReadAsync<TRequest, TResponse>(
        this HttpClient http, string path, TRequest body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = JsonContent.Create(body, options: DouyinApi.JsonOptions),
        };
        request.Options.Set(HttpResilience.Retryable, true); // a read, so repeating it is harmless
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<TResponse>(DouyinApi.JsonOptions, cancellationToken);
    }
}
