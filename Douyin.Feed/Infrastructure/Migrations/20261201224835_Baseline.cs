using System;
using Douyin.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Douyin.Feed.Infrastructure.Migrations
{
    /// <summary>
    /// The whole schema, as the hand-written migrations it replaces left it: in a database they built, the migrator records
    /// this one as applied instead of running it (see <see cref="ReplacesMigrationsAttribute"/>).
    /// </summary>
    [ReplacesMigrations("20261201000000_InitialCreate", "20261210000000_FavoritesAndComments")]
    public partial class Baseline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "comments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false),
                    video_id = table.Column<long>(type: "bigint", nullable: false),
                    user_id = table.Column<long>(type: "bigint", nullable: false),
                    content = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    is_deleted = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_comments", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "favorites",
                columns: table => new
                {
                    user_id = table.Column<long>(type: "bigint", nullable: false),
                    video_id = table.Column<long>(type: "bigint", nullable: false),
                    is_favorite = table.Column<bool>(type: "boolean", nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_favorites", x => new { x.user_id, x.video_id });
                });

            migrationBuilder.CreateTable(
                name: "integration_event_log",
                columns: table => new
                {
                    event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    event_type_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    content = table.Column<string>(type: "jsonb", nullable: false),
                    state = table.Column<int>(type: "integer", nullable: false),
                    times_sent = table.Column<int>(type: "integer", nullable: false),
                    creation_time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_integration_event_log", x => x.event_id);
                });

            migrationBuilder.CreateTable(
                name: "videos",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false),
                    author_id = table.Column<long>(type: "bigint", nullable: false),
                    title = table.Column<string>(type: "text", nullable: false),
                    play_path = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    cover_path = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    favorite_count = table.Column<long>(type: "bigint", nullable: false),
                    comment_count = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_videos", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_comments_video_id_created_at_id",
                table: "comments",
                columns: new[] { "video_id", "created_at", "id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_favorites_user_id_created_at_video_id",
                table: "favorites",
                columns: new[] { "user_id", "created_at", "video_id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_favorites_video_id",
                table: "favorites",
                column: "video_id");

            migrationBuilder.CreateIndex(
                name: "ix_integration_event_log_unpublished",
                table: "integration_event_log",
                column: "creation_time",
                filter: "state <> 2");

            migrationBuilder.CreateIndex(
                name: "ix_videos_author_id_created_at_id",
                table: "videos",
                columns: new[] { "author_id", "created_at", "id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_videos_created_at_id",
                table: "videos",
                columns: new[] { "created_at", "id" },
                descending: new bool[0]);

            // Not in the model, so EF always writes these columns itself: the defaults serve hand-written SQL that leaves
            // them out (bench/Douyin.Bench.DataGen's COPY, tests' seed rows). The hand-written migrations had them.
            migrationBuilder.Sql(
                """
                ALTER TABLE videos ALTER COLUMN favorite_count SET DEFAULT 0, ALTER COLUMN comment_count SET DEFAULT 0;
                ALTER TABLE favorites ALTER COLUMN is_favorite SET DEFAULT TRUE, ALTER COLUMN sequence SET DEFAULT 0;
                ALTER TABLE comments ALTER COLUMN is_deleted SET DEFAULT FALSE;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "comments");

            migrationBuilder.DropTable(
                name: "favorites");

            migrationBuilder.DropTable(
                name: "integration_event_log");

            migrationBuilder.DropTable(
                name: "videos");
        }
    }
}
