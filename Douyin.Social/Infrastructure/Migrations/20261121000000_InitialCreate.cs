using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Douyin.Social.Infrastructure.Migrations;

[DbContext(typeof(SocialDbContext))]
[Migration("20261121000000_InitialCreate")]
public sealed class InitialCreate : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
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
                follow_count = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                follower_count = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                work_count = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                favorite_count = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                total_favorited = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table => table.PrimaryKey("pk_users", x => x.id));

        migrationBuilder.CreateIndex(name: "ix_users_normalized_name", table: "users", column: "normalized_name", unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "users");
}
