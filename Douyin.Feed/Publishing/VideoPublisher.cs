using System.Text;
using System.Threading.RateLimiting;
using Douyin.Feed.Renditions;
using Douyin.EventBus.Outbox;
using Douyin.Api.Identity;
using Douyin.ServiceDefaults.Ids;
using Douyin.EventBus.IntegrationEvents;
using Douyin.Api.Media;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Douyin.Feed.Publishing;

/// <summary>
/// Publishing: the multipart body is read part by part and the file streamed to a temporary file (never held in
/// memory), because <c>token</c> and <c>title</c> may come after it. A token that comes first (query or an earlier
/// part) is checked as soon as it is read, so a bad one is refused before the file is; a file that comes first is
/// spooled within <see cref="UploadLimits"/>. Then ffprobe checks it is a video, ffmpeg takes a cover, both go to
/// Blob storage, and the row and its <see cref="VideoPublishedIntegrationEvent"/> commit together. A failure at any
/// step removes what earlier steps stored.
/// </summary>
public sealed class VideoPublisher(
    FeedDbContext db,
    IIntegrationEventOutbox outbox,
    MediaTools tools,
    MediaStorage storage,
    VideoCache cache,
    VideoTimeline timeline,
    SnowflakeIdGenerator ids,
    TokenService tokens,
    UploadLimits limits,
    TimeProvider time,
    IOptions<MediaOptions> options,
    IOptions<RenditionOptions> renditions,
    ILogger<VideoPublisher> logger)
{
    const int MaxTextPartChars = 4096;

    readonly MediaOptions _options = options.Value;

    public async Task<ApiResponse> PublishAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = _options.MaxRequestBytes;
        }
        if (request.ContentLength > _options.MaxRequestBytes)
        {
            return TooLarge();
        }
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return Fail(ApiStatus.BadRequest, "Send the video as multipart/form-data with a 'data' file part, 'token' and 'title'.");
        }

        using var upload = limits.AcquireUpload();
        if (!upload.IsAcquired)
        {
            return Busy("Too many uploads are in progress; try again shortly.");
        }

        // A token in the query string is checked before the upload is read.
        var queryToken = request.Query["token"].FirstOrDefault(t => !string.IsNullOrEmpty(t));
        long? queryAuthor = null;
        if (queryToken is not null && (queryAuthor = await tokens.ValidateAsync(queryToken)) is null)
        {
            return InvalidToken();
        }

        var workspace = Directory.CreateTempSubdirectory("douyin-upload-");
        using var spool = new Spool(limits, ClientAddress.Prefix(context));
        try
        {
            var videoPath = Path.Combine(workspace.FullName, "upload");
            var form = await ReadFormAsync(request, boundary, videoPath, queryAuthor, spool, cancellationToken);
            if (form.Refusal is { } refusal)
            {
                return refusal;
            }

            if ((queryAuthor ?? form.AuthorId) is not { } authorId)
            {
                return Fail(ApiStatus.Unauthorized, "A token is required: log in first.");
            }
            var title = request.Query["title"].FirstOrDefault(t => !string.IsNullOrEmpty(t)) ?? form.Title;
            if (TextRules.Check(title, "title", _options.MinTitleLength, _options.MaxTitleLength) is { } invalidTitle)
            {
                return ApiResponse.Fail<ApiResponse>(invalidTitle);
            }
            if (form.VideoBytes is null or 0)
            {
                return Fail(ApiStatus.BadRequest, "The video file is missing: send it as the multipart part 'data'.");
            }

            // The file is vouched for now: it no longer counts against the address's anonymous uploads.
            spool.Authenticated();
            var (probe, notAVideo) = await tools.ProbeAsync(videoPath, cancellationToken);
            if (probe is null)
            {
                return Fail(ApiStatus.BadRequest, notAVideo!);
            }
            var coverPath = Path.Combine(workspace.FullName, "cover.jpg");
            if (!await tools.ExtractCoverAsync(videoPath, probe.Duration, coverPath, cancellationToken))
            {
                return Fail(ApiStatus.BadRequest, "No frame of the video could be decoded for a cover.");
            }

            var video = await StoreAsync(authorId, title!.Trim(), probe, videoPath, coverPath, cancellationToken);
            logger.LogInformation("User {AuthorId} published video {VideoId} ({Bytes} bytes)", authorId, video.Id, form.VideoBytes);
            return new ApiResponse { StatusMsg = $"Published \"{video.Title}\"." };
        }
        catch (MediaToolsBusyException)
        {
            return Busy("Too many videos are being checked right now; try again shortly.");
        }
        finally
        {
            workspace.Delete(recursive: true);
        }
    }

    async Task<Video> StoreAsync(long authorId, string title, VideoProbe probe, string videoPath, string coverPath, CancellationToken cancellationToken)
    {
        var id = ids.NextId();
        var videoBlob = $"videos/{id}{probe.Extension}";
        var coverBlob = $"covers/{id}.jpg";
        var video = new Video
        {
            Id = id,
            AuthorId = authorId,
            Title = title,
            PlayPath = MediaPaths.ForBlob(videoBlob),
            CoverPath = MediaPaths.ForBlob(coverBlob),
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()),
        };

        try
        {
            await Task.WhenAll(
                storage.UploadAsync(videoBlob, videoPath, probe.ContentType, cancellationToken),
                storage.UploadAsync(coverBlob, coverPath, "image/jpeg", cancellationToken));
            // Not cancellable from here on: a commit the caller never hears about must not lose its blobs below.
            await outbox.ExecuteInTransactionAsync(async ct =>
            {
                db.Videos.Add(video);
                await outbox.AddAsync(new VideoPublishedIntegrationEvent(video.Id, video.AuthorId), ct);
                // The streaming rendition is made in the background (Renditions/); the original plays until it is stored.
                if (renditions.Value.Enabled)
                {
                    await outbox.AddAsync(new VideoRenditionRequestedIntegrationEvent(video.Id, videoBlob), ct);
                }
            }, CancellationToken.None);
        }
        catch
        {
            await DeleteBlobsAsync(id, videoBlob, coverBlob);
            throw;
        }

        try
        {
            await timeline.AddAsync(video);
            await cache.SetAsync(video);
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            // Committed: the timeline's next rebuild from PostgreSQL picks the video up.
            logger.LogWarning(ex, "Video {VideoId} is stored but not yet in the cached timeline", video.Id);
        }
        return video;
    }

    async Task DeleteBlobsAsync(long videoId, params string[] blobNames)
    {
        try
        {
            // The commit may have succeeded before its acknowledgement was lost; then the blobs belong to the row.
            if (await db.Videos.AsNoTracking().AnyAsync(v => v.Id == videoId))
            {
                return;
            }
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or Npgsql.NpgsqlException)
        {
            // The database cannot tell us; without it the row cannot have committed either way we care about.
        }
        foreach (var name in blobNames)
        {
            try
            {
                await storage.DeleteAsync(name, CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Could not delete blob {Blob} of failed upload {VideoId}", name, videoId);
            }
        }
    }

    sealed record UploadForm(long? AuthorId, string? Title, long? VideoBytes, ApiResponse? Refusal)
    {
        public static UploadForm Refused(ApiResponse refusal) => new(null, null, null, refusal);
    }

    async Task<UploadForm> ReadFormAsync(
        HttpRequest request, string boundary, string videoPath, long? authorId, Spool spool, CancellationToken cancellationToken)
    {
        string? title = null;
        long? videoBytes = null;
        var tokenSeen = false;
        // Section size is limited by our own count below (and Kestrel's body limit), not the reader's 128 MB default.
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = null };
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                // Not IsFormDisposition(): that one is false for the file part, which carries a filename.
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                switch (HeaderUtilities.RemoveQuotes(disposition.Name).Value)
                {
                    case "data" when videoBytes is null:
                        if (authorId is null && !spool.TryStartAnonymous())
                        {
                            return UploadForm.Refused(Fail(ApiStatus.TooManyRequests,
                                "Too many uploads from your address are waiting for their token; send the token before the file, or try again shortly."));
                        }
                        videoBytes = await CopyLimitedAsync(section.Body, videoPath, spool, cancellationToken);
                        if (videoBytes < 0)
                        {
                            return UploadForm.Refused(Busy("The server has no room for more uploads right now; try again shortly."));
                        }
                        if (videoBytes > _options.MaxVideoBytes)
                        {
                            return UploadForm.Refused(TooLarge());
                        }
                        break;
                    case "data":
                        return UploadForm.Refused(Fail(ApiStatus.BadRequest, "Send one video per request."));
                    case "token" when !tokenSeen:
                        var token = await ReadTextAsync(section.Body, cancellationToken);
                        tokenSeen = token.Length > 0;
                        // The query's token wins when both are sent. Checked now: a bad one ends the upload before its file is read.
                        if (tokenSeen && authorId is null && (authorId = await tokens.ValidateAsync(token)) is null)
                        {
                            return UploadForm.Refused(InvalidToken());
                        }
                        break;
                    case "title":
                        title = await ReadTextAsync(section.Body, cancellationToken);
                        break;
                }
            }
        }
        catch (InvalidDataException ex)
        {
            return UploadForm.Refused(Fail(ApiStatus.BadRequest, $"The multipart body is malformed: {ex.Message}"));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return UploadForm.Refused(TooLarge());
        }
        return new(authorId, title, videoBytes, null);
    }

    /// <returns>
    /// The bytes written, one more than the limit when the part is larger (the copy stops there), or -1 when the
    /// process's spool budget has no room for the next chunk.
    /// </returns>
    async Task<long> CopyLimitedAsync(Stream source, string path, Spool spool, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 81920, useAsync: true);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > _options.MaxVideoBytes)
            {
                return total;
            }
            if (!spool.TryReserve(read))
            {
                return -1;
            }
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        return total;
    }

    /// <summary>One upload's share of <see cref="UploadLimits"/>: its anonymous slot while no token vouches for it, and its spooled bytes.</summary>
    sealed class Spool(UploadLimits limits, string addressPrefix) : IDisposable
    {
        RateLimitLease? _anonymous;
        long _reserved;

        public bool TryStartAnonymous()
        {
            _anonymous = limits.AcquireAnonymousSpool(addressPrefix);
            return _anonymous.IsAcquired;
        }

        public void Authenticated()
        {
            _anonymous?.Dispose();
            _anonymous = null;
        }

        public bool TryReserve(long bytes)
        {
            if (!limits.TryReserveSpool(bytes))
            {
                return false;
            }
            _reserved += bytes;
            return true;
        }

        public void Dispose()
        {
            Authenticated();
            limits.ReleaseSpool(_reserved);
            _reserved = 0;
        }
    }

    static async Task<string> ReadTextAsync(Stream body, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        var buffer = new char[MaxTextPartChars + 1];
        var length = await reader.ReadBlockAsync(buffer, cancellationToken);
        // Anything longer than any valid token or title fails validation anyway; the rest is drained by the reader.
        return new string(buffer, 0, length);
    }

    ApiResponse TooLarge() => Fail(ApiStatus.BadRequest, $"The video is too large; the limit is {_options.MaxVideoBytes / (1024 * 1024)} MB.");

    static ApiResponse Busy(string message) => Fail(ApiStatus.Unavailable, message);

    static ApiResponse InvalidToken() => Fail(ApiStatus.Unauthorized, "The token is invalid or expired: log in again.");

    static ApiResponse Fail(ApiStatus status, string message) => ApiResponse.Fail(status, message);
}
