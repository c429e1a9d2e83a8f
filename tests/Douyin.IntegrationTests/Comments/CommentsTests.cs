using System.Globalization;
using Douyin.Feed.Writes;
using Douyin.IntegrationTests.Favorites;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Relations;

namespace Douyin.IntegrationTests.Comments;

[Collection(DouyinAppCollection.Name)]
public sealed class CommentsTests(DouyinAppFixture fixture)
{
    readonly HttpClient _web = fixture.Web;
    readonly FeedWritesBackstage _feed = new(fixture);

    [Fact]
    public async Task APostedCommentIsAnsweredListedNewestFirstAndCountedAndOnlyItsAuthorDeletesIt()
    {
        var (authorId, author) = await _web.RegisterAsync();
        var (commenterId, commenter) = await _web.RegisterAsync();
        var videoId = await _feed.SeedVideoAsync(authorId);

        var posted = await _web.CommentAsync(commenter, videoId, "  first!  ");
        Assert.Equal(0, posted.StatusCode());
        var comment = posted["comment"]!;
        var firstId = comment.Long("id");
        Assert.True(firstId > 0);
        Assert.Equal("first!", comment["content"]!.GetValue<string>());
        Assert.Equal(commenterId, comment["user"]!.Long("id"));
        Assert.False(string.IsNullOrEmpty(comment["user"]!["name"]!.GetValue<string>()));
        // Feed's default zone is Asia/Shanghai (UTC+8, no daylight saving).
        var today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal(today, comment["create_date"]!.GetValue<string>());

        var listed = await Eventually.HoldsAsync(() => _web.CommentListAsync(videoId), l => l.Count == 1, "the comment in the list");
        Assert.Equal(firstId, listed[0]!.Long("id"));
        var secondId = (await _web.CommentAsync(author, videoId, "second"))["comment"]!.Long("id");
        var thirdId = (await _web.CommentAsync(commenter, videoId, "third\nwith a line break"))["comment"]!.Long("id");

        listed = await Eventually.HoldsAsync(() => _web.CommentListAsync(videoId, author), l => l.Count == 3, "three comments");
        Assert.Equal([thirdId, secondId, firstId], listed.Select(c => c!.Long("id")));
        Assert.Equal(authorId, listed[1]!["user"]!.Long("id"));
        Assert.Equal((0, 0, 3, 3), await _feed.CountersAsync(videoId));
        var video = (await _web.ApiGetAsync("/douyin/publish/list/", ("user_id", authorId)))["video_list"]!.AsArray().Single(v => v!.Long("id") == videoId)!;
        Assert.Equal(3, video.Long("comment_count"));

        var forbidden = await _web.DeleteCommentAsync(author, videoId, firstId);
        Assert.NotEqual(0, forbidden.StatusCode());
        Assert.NotEqual(0, (await _web.DeleteCommentAsync(commenter, videoId, 4242)).StatusCode());
        var deleted = await _web.DeleteCommentAsync(commenter, videoId, firstId);
        Assert.Equal(0, deleted.StatusCode());
        Assert.Equal(firstId, deleted["comment"]!.Long("id"));

        listed = await Eventually.HoldsAsync(() => _web.CommentListAsync(videoId), l => l.Count == 2, "the deletion");
        Assert.Equal([thirdId, secondId], listed.Select(c => c!.Long("id")));
        await Eventually.HoldsAsync(() => _feed.CountersAsync(videoId), c => c == (0, 0, 2, 2), "comment_count 2");
        Assert.Equal(0, (await _web.DeleteCommentAsync(commenter, videoId, firstId)).StatusCode()); // a repeat is a no-op
    }

    [Fact]
    public async Task ContentIsOneToFiveHundredCharactersWithBannedWordsMasked()
    {
        var (authorId, token) = await _web.RegisterAsync();
        var videoId = await _feed.SeedVideoAsync(authorId);

        Assert.NotEqual(0, (await _web.CommentAsync(token, videoId, "")).StatusCode());
        Assert.NotEqual(0, (await _web.CommentAsync(token, videoId, "   ")).StatusCode());
        Assert.NotEqual(0, (await _web.CommentAsync(token, videoId, new string('好', 501))).StatusCode());
        Assert.NotEqual(0, (await _web.CommentAsync(token, 4242, "no such video")).StatusCode());
        Assert.NotEqual(0, (await _web.ApiPostAsync("/douyin/comment/action/", ("video_id", videoId), ("action_type", 1), ("comment_text", "anonymous"))).StatusCode());
        Assert.NotEqual(0, (await _web.ApiPostAsync("/douyin/comment/action/", ("token", token), ("video_id", videoId), ("action_type", 3))).StatusCode());
        Assert.NotEqual(0, (await _web.ApiGetAsync("/douyin/comment/list/", ("video_id", 4242))).StatusCode());

        // 500 characters, counted as characters: each emoji is two UTF-16 units.
        var longest = await _web.CommentAsync(token, videoId, string.Concat(Enumerable.Repeat("😀", 500)));
        Assert.Equal(0, longest.StatusCode());
        // Feed's Development settings ban "badword" and "脏话" (appsettings.Development.json).
        var masked = await _web.CommentAsync(token, videoId, "a BadWord and 脏话 here");
        Assert.Equal("a ******* and ** here", masked["comment"]!["content"]!.GetValue<string>());

        var listed = await Eventually.HoldsAsync(() => _web.CommentListAsync(videoId), l => l.Count == 2, "both comments");
        Assert.Equal("a ******* and ** here", listed[0]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task ADeleteDeliveredBeforeItsPostStillWinsAndARedeliveredPostInsertsNothing()
    {
        var (authorId, _) = await _web.RegisterAsync();
        var (userId, _) = await _web.RegisterAsync();
        var videoId = await _feed.SeedVideoAsync(authorId);
        var deletedId = FeedWritesBackstage.NextSequence();
        var keptId = FeedWritesBackstage.NextSequence();

        await _feed.EnqueueAsync(new CommentDeleteWrite(FeedWritesBackstage.NextSequence(), userId, videoId, deletedId));
        await Eventually.HoldsAsync(() => _feed.FeedScalarAsync("SELECT count(*) FROM comments WHERE id = $1", deletedId), n => n == 1, "the tombstone");
        var kept = new CommentPostWrite(keptId, userId, videoId, "kept");
        await _feed.EnqueueAsync(new CommentPostWrite(deletedId, userId, videoId, "deleted before it arrived"), kept, kept, kept);

        await Eventually.HoldsAsync(() => _feed.WriteQueueAsync(), q => q.Ready == 0, "the write queue to drain");
        var listed = await Eventually.HoldsAsync(() => _web.CommentListAsync(videoId), l => l.Count == 1, "the kept comment");
        Assert.Equal(keptId, listed[0]!.Long("id"));
        await Eventually.HoldsAsync(() => _feed.CountersAsync(videoId), c => c == (0, 0, 1, 1), "comment_count 1");
    }

    [Fact]
    public async Task AnAuthorCanDeleteACommentRightAfterPostingIt()
    {
        var (authorId, token) = await _web.RegisterAsync();
        var videoId = await _feed.SeedVideoAsync(authorId);

        // No waiting in between: the delete may well be accepted before the post is applied.
        var commentId = (await _web.CommentAsync(token, videoId, "oops"))["comment"]!.Long("id");
        Assert.Equal(0, (await _web.DeleteCommentAsync(token, videoId, commentId)).StatusCode());

        await Eventually.HoldsAsync(() => _feed.FeedScalarAsync("SELECT count(*) FROM comments WHERE id = $1 AND is_deleted", commentId), n => n == 1, "the deleted comment");
        Assert.Empty(await _web.CommentListAsync(videoId));
        Assert.Equal((0, 0, 0, 0), await _feed.CountersAsync(videoId));
    }
}
