using Npgsql;
using NpgsqlTypes;

namespace ImpactModel.Postgres;

/// <summary>Parameters and nullable columns in one call each, so the store's statements read as SQL.</summary>
internal static class NpgsqlExtensions
{
    /// <summary>Adds a non-null parameter, typed by <typeparamref name="T"/>.</summary>
    public static NpgsqlCommand With<T>(this NpgsqlCommand command, string name, T value)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        command.Parameters.Add(new NpgsqlParameter<T>(name, value));
        return command;
    }

    /// <summary>Adds a parameter that may be null, with its database type (an untyped null cannot be compared in SQL).</summary>
    public static NpgsqlCommand WithNullable(this NpgsqlCommand command, string name, object? value, NpgsqlDbType type)
    {
        command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
        return command;
    }

    public static T? Nullable<T>(this NpgsqlDataReader reader, int ordinal)
        where T : struct
        => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);

    public static string? NullableString(this NpgsqlDataReader reader, int ordinal)
        => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
