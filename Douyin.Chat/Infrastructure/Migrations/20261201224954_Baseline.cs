using Douyin.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Douyin.Chat.Infrastructure.Migrations
{
    /// <summary>
    /// The whole schema, as the hand-written migrations it replaces left it: in a database they built, the migrator records
    /// this one as applied instead of running it (see <see cref="ReplacesMigrationsAttribute"/>).
    /// </summary>
    [ReplacesMigrations("20261123000000_InitialCreate")]
    public partial class Baseline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "conversations",
                columns: table => new
                {
                    low_user_id = table.Column<long>(type: "bigint", nullable: false),
                    high_user_id = table.Column<long>(type: "bigint", nullable: false),
                    last_create_time = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_conversations", x => new { x.low_user_id, x.high_user_id });
                });

            migrationBuilder.CreateTable(
                name: "messages",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false),
                    low_user_id = table.Column<long>(type: "bigint", nullable: false),
                    high_user_id = table.Column<long>(type: "bigint", nullable: false),
                    from_user_id = table.Column<long>(type: "bigint", nullable: false),
                    to_user_id = table.Column<long>(type: "bigint", nullable: false),
                    content = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    create_time = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_messages", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_messages_low_user_id_high_user_id_create_time",
                table: "messages",
                columns: new[] { "low_user_id", "high_user_id", "create_time" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "conversations");

            migrationBuilder.DropTable(
                name: "messages");
        }
    }
}
