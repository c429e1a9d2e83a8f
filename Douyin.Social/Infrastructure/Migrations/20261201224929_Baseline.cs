using System;
using Douyin.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Douyin.Social.Infrastructure.Migrations
{
    /// <summary>
    /// The whole schema, as the hand-written migrations it replaces left it: in a database they built, the migrator records
    /// this one as applied instead of running it (see <see cref="ReplacesMigrationsAttribute"/>).
    /// </summary>
    [ReplacesMigrations("20261121000000_InitialCreate", "20261122000000_Relations")]
    public partial class Baseline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "integration_event_inbox",
                columns: table => new
                {
                    event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    consumer = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    processed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_integration_event_inbox", x => new { x.event_id, x.consumer });
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
                name: "users",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    normalized_name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    password_hash = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    signature = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    avatar = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    background_image = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    follow_count = table.Column<long>(type: "bigint", nullable: false),
                    follower_count = table.Column<long>(type: "bigint", nullable: false),
                    work_count = table.Column<long>(type: "bigint", nullable: false),
                    favorite_count = table.Column<long>(type: "bigint", nullable: false),
                    total_favorited = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "follows",
                columns: table => new
                {
                    follower_id = table.Column<long>(type: "bigint", nullable: false),
                    followee_id = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_follows", x => new { x.follower_id, x.followee_id });
                    table.ForeignKey(
                        name: "fk_follows_users_followee_id",
                        column: x => x.followee_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_follows_users_follower_id",
                        column: x => x.follower_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_follows_followee_id_created_at",
                table: "follows",
                columns: new[] { "followee_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_integration_event_log_unpublished",
                table: "integration_event_log",
                column: "creation_time",
                filter: "state <> 2");

            migrationBuilder.CreateIndex(
                name: "ix_users_normalized_name",
                table: "users",
                column: "normalized_name",
                unique: true);

            // Not in the model, so EF always writes these columns itself: the defaults serve hand-written SQL that leaves
            // them out (bench/Douyin.Bench.DataGen's COPY). The hand-written migrations had them.
            migrationBuilder.Sql(
                """
                ALTER TABLE users ALTER COLUMN follow_count SET DEFAULT 0, ALTER COLUMN follower_count SET DEFAULT 0,
                    ALTER COLUMN work_count SET DEFAULT 0, ALTER COLUMN favorite_count SET DEFAULT 0, ALTER COLUMN total_favorited SET DEFAULT 0;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "follows");

            migrationBuilder.DropTable(
                name: "integration_event_inbox");

            migrationBuilder.DropTable(
                name: "integration_event_log");

            migrationBuilder.DropTable(
                name: "users");
        }
    }
}
