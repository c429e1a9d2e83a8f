using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Douyin.Feed.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class Renditions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "rendition_path",
                table: "videos",
                type: "character varying(1024)",
                maxLength: 1024,
                nullable: true);

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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "integration_event_inbox");

            migrationBuilder.DropColumn(
                name: "rendition_path",
                table: "videos");
        }
    }
}
