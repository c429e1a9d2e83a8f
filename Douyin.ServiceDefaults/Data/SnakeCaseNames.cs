using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Douyin.ServiceDefaults.Data;

public static class SnakeCaseNames
{
    /// <summary>
    /// Names tables, columns, keys and indexes in snake_case, PostgreSQL's convention, so hand-written SQL
    /// (bulk loads, benchmarks) needs no quoting. Call last in OnModelCreating.
    /// </summary>
    public static ModelBuilder UseSnakeCaseNames(this ModelBuilder modelBuilder)
    {
        var policy = JsonNamingPolicy.SnakeCaseLower;
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is { } table)
            {
                entity.SetTableName(policy.ConvertName(table));
            }
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(policy.ConvertName(property.Name));
            }
            foreach (var key in entity.GetKeys())
            {
                key.SetName(policy.ConvertName(key.GetName()!));
            }
            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName(policy.ConvertName(index.GetDatabaseName()!));
            }
            foreach (var foreignKey in entity.GetForeignKeys())
            {
                foreignKey.SetConstraintName(policy.ConvertName(foreignKey.GetConstraintName()!));
            }
        }
        return modelBuilder;
    }
}
