namespace Douyin.ServiceDefaults.Data;

/// <summary>
/// Marks a baseline migration that stands for older ones, since removed (the hand-written migrations before
/// <c>dotnet ef</c>). A database that has every one of <see cref="MigrationIds"/> in its history already has the
/// baseline's schema: the migrator records the baseline as applied instead of running it (see <c>AddMigration</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ReplacesMigrationsAttribute(params string[] migrationIds) : Attribute
{
    public IReadOnlyList<string> MigrationIds { get; } = migrationIds;
}
