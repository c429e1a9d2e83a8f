using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Douyin.Social.Infrastructure.Migrations;

/// <summary>The follow graph, and the outbox and inbox of Social's integration events.</summary>
[DbContext(typeof(SocialDbContext))]
[Migration("20261122000000_Relations")]
public sealed class Relations : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "follows",
            columns: table => new
            {
                follower_id = table.Column<long>(type: "bigint", nullable: false),
                followee_id = table.Column<long>(type: "bigint", nullable: false),
                created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("pk_follows", x => new { x.follower_id, x.followee_id });
                table.ForeignKey("fk_follows_users_follower_id", x => x.follower_id, "users", "id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("fk_follows_users_followee_id", x => x.followee_id, "users", "id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex(name: "ix_follows_followee_id_created_at", table: "follows", columns: ["followee_id", "created_at"]);

        migrationBuilder.CreateIntegrationEventLogTable();
        migrationBuilder.CreateIntegrationEventInboxTable();
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "integration_event_inbox");
        migrationBuilder.DropTable(name: "integration_event_log");
        migrationBuilder.DropTable(name: "follows");
    }
}
