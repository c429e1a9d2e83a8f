using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Douyin.Feed.Infrastructure.Migrations;

/// <summary>Likes keep their state and last applied write (unlikes are tombstones); comments, with delete tombstones.</summary>
[DbContext(typeof(FeedDbContext))]
[Migration("20261210000000_FavoritesAndComments")]
public sealed class FavoritesAndComments : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        // Rows written before this migration were likes, applied before any sequence existed.
        migrationBuilder.AddColumn<bool>(name: "is_favorite", table: "favorites", type: "boolean", nullable: false, defaultValue: true);
        migrationBuilder.AddColumn<long>(name: "sequence", table: "favorites", type: "bigint", nullable: false, defaultValue: 0L);
        migrationBuilder.CreateIndex(
            name: "ix_favorites_user_id_created_at_video_id", table: "favorites",
            columns: ["user_id", "created_at", "video_id"], descending: [false, true, true]);

        migrationBuilder.CreateTable(
            name: "comments",
            columns: table => new
            {
                id = table.Column<long>(type: "bigint", nullable: false),
                video_id = table.Column<long>(type: "bigint", nullable: false),
                user_id = table.Column<long>(type: "bigint", nullable: false),
                content = table.Column<string>(type: "text", nullable: false),
                created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                is_deleted = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
            },
            constraints: table => table.PrimaryKey("pk_comments", x => x.id));
        migrationBuilder.CreateIndex(
            name: "ix_comments_video_id_created_at_id", table: "comments",
            columns: ["video_id", "created_at", "id"], descending: [false, true, true]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "comments");
        migrationBuilder.DropIndex(name: "ix_favorites_user_id_created_at_video_id", table: "favorites");
        migrationBuilder.DropColumn(name: "sequence", table: "favorites");
        migrationBuilder.DropColumn(name: "is_favorite", table: "favorites");
    }
}
