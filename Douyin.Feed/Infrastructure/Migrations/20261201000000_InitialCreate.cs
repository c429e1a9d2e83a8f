using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Douyin.Feed.Infrastructure.Migrations;

[DbContext(typeof(FeedDbContext))]
[Migration("20261201000000_InitialCreate")]
public sealed class InitialCreate : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "videos",
            columns: table => new
            {
                id = table.Column<long>(type: "bigint", nullable: false),
                author_id = table.Column<long>(type: "bigint", nullable: false),
                title = table.Column<string>(type: "text", nullable: false),
                play_path = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                cover_path = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                favorite_count = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                comment_count = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table => table.PrimaryKey("pk_videos", x => x.id));

        migrationBuilder.CreateIndex(
            name: "ix_videos_created_at_id", table: "videos", columns: ["created_at", "id"], descending: [true, true]);
        migrationBuilder.CreateIndex(
            name: "ix_videos_author_id_created_at_id", table: "videos", columns: ["author_id", "created_at", "id"], descending: [false, true, true]);

        migrationBuilder.CreateTable(
            name: "favorites",
            columns: table => new
            {
                user_id = table.Column<long>(type: "bigint", nullable: false),
                video_id = table.Column<long>(type: "bigint", nullable: false),
                created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table => table.PrimaryKey("pk_favorites", x => new { x.user_id, x.video_id }));

        migrationBuilder.CreateIndex(name: "ix_favorites_video_id", table: "favorites", column: "video_id");

        migrationBuilder.CreateIntegrationEventLogTable();
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "integration_event_log");
        migrationBuilder.DropTable(name: "favorites");
        migrationBuilder.DropTable(name: "videos");
    }
}
