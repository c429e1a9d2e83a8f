using System.Buffers;

namespace Douyin.Api.Media;

/// <summary>
/// Douyin.Feed stores uploads in one blob container and Douyin.Web serves that container under <c>/media/</c>,
/// so the path stored with a video is <see cref="UrlPrefix"/> + "/" + the blob name, on both sides alike.
/// </summary>
public static class MediaPaths
{
    public const string ContainerName = "media";
    public const string UrlPrefix = "/media";

    static readonly SearchValues<char> s_allowed = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./");

    public static string ForBlob(string blobName) => $"{UrlPrefix}/{blobName}";

    /// <summary>
    /// Whether a requested name stays a plain blob name inside the container: letters, digits, '-', '_', '.', and '/'
    /// between non-empty segments none of which is "." or "..". Anything else could address another container or
    /// a different blob after the storage service normalizes it.
    /// </summary>
    public static bool IsSafeBlobName(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= 512
        && !name.AsSpan().ContainsAnyExcept(s_allowed)
        && name.Split('/').All(segment => segment is not ("" or "." or ".."));
}
