using Npgsql;
using NpgsqlTypes;

namespace ImpactModel.Postgres;

public sealed partial class ResultStore
{
    /// <summary>
    /// Stores a run's results.csv rows in their order, replacing any stored before, in one
    /// transaction; the rows travel by binary COPY. NaN is stored as null (an empty cell).
    /// </summary>
    /// <exception cref="KeyNotFoundException">There is no such run.</exception>
    public void WriteResults(long runId, IEnumerable<StoredResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        InTransaction(connection =>
        {
            RequireRun(connection, runId);
            using (NpgsqlCommand delete = Sql(connection, "delete from impact.results where run_id = @run").With("run", runId))
                delete.ExecuteNonQuery();
            using NpgsqlBinaryImporter import = connection.BeginBinaryImport("""
                copy impact.results (run_id, ordinal, scenario, strand, variant, grp, metric,
                                     mean, ci_low, ci_high, replicates, mc_se, events)
                from stdin (format binary)
                """);
            int ordinal = 0;
            foreach (StoredResultRow row in rows)
            {
                import.StartRow();
                import.Write(runId, NpgsqlDbType.Bigint);
                import.Write(ordinal++, NpgsqlDbType.Integer);
                import.Write(row.Scenario, NpgsqlDbType.Text);
                import.Write(row.Strand, NpgsqlDbType.Text);
                import.Write(row.Variant, NpgsqlDbType.Text);
                import.Write(row.Group, NpgsqlDbType.Text);
                import.Write(row.Metric, NpgsqlDbType.Text);
                WriteNumber(import, row.Mean);
                WriteNumber(import, row.CiLow);
                WriteNumber(import, row.CiHigh);
                import.Write(row.Replicates, NpgsqlDbType.Integer);
                WriteNumber(import, row.McSe);
                if (row.Events is long events)
                    import.Write(events, NpgsqlDbType.Bigint);
                else
                    import.WriteNull();
            }
            import.Complete();
            return 0;
        });
    }

    /// <summary>A run's results.csv rows in their stored order; empty when none are stored.</summary>
    public IReadOnlyList<StoredResultRow> ReadResults(long runId) => Use(connection =>
    {
        using NpgsqlCommand command = Sql(connection, """
            select scenario, strand, variant, grp, metric, mean, ci_low, ci_high, replicates, mc_se, events
            from impact.results where run_id = @run order by ordinal
            """).With("run", runId);
        var rows = new List<StoredResultRow>();
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(new StoredResultRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.Nullable<double>(5), reader.Nullable<double>(6), reader.Nullable<double>(7),
                reader.GetInt32(8), reader.Nullable<double>(9), reader.Nullable<long>(10)));
        }
        return rows;
    });

    /// <summary>
    /// Stores files of a run folder by relative name (manifest.json, replicates.csv, …) in one
    /// transaction; a name stored before is replaced, others stay.
    /// </summary>
    /// <exception cref="KeyNotFoundException">There is no such run.</exception>
    public void WriteFiles(long runId, IReadOnlyDictionary<string, byte[]> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0)
            return;
        InTransaction(connection =>
        {
            RequireRun(connection, runId);
            using var batch = new NpgsqlBatch(connection);
            foreach ((string name, byte[] content) in files)
            {
                ArgumentException.ThrowIfNullOrEmpty(name, nameof(files));
                ArgumentNullException.ThrowIfNull(content, nameof(files));
                var command = new NpgsqlBatchCommand("""
                    insert into impact.run_files (run_id, name, content) values ($1, $2, $3)
                    on conflict (run_id, name) do update set content = excluded.content
                    """);
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = content });
                batch.BatchCommands.Add(command);
            }
            batch.ExecuteNonQuery();
            return 0;
        });
    }

    /// <summary>A run's stored files by name; empty when none are stored.</summary>
    public IReadOnlyDictionary<string, byte[]> ReadFiles(long runId) => Use(connection =>
    {
        using NpgsqlCommand command = Sql(connection, "select name, content from impact.run_files where run_id = @run")
            .With("run", runId);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
            files.Add(reader.GetString(0), reader.GetFieldValue<byte[]>(1));
        return files;
    });

    /// <summary>A number, or null for null and NaN (results.csv never holds NaN; an undefined value is an empty cell).</summary>
    private static void WriteNumber(NpgsqlBinaryImporter import, double? value)
    {
        if (value is double number && !double.IsNaN(number))
            import.Write(number, NpgsqlDbType.Double);
        else
            import.WriteNull();
    }
}
