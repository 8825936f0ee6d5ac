using DbUp.Engine;
using DbUp.Postgresql;
using Npgsql;

namespace ImpactModel.Postgres;

/// <summary>
/// Brings schema <c>impact</c> up to date when a store opens: the numbered scripts embedded from
/// <c>Migrations/</c> (<c>0001_initial.sql</c>, …), each applied once, in name order, in one
/// transaction with its journal row in <c>impact.schemaversions</c>.
/// </summary>
/// <remarks>
/// Why DbUp (dbup-postgresql 7.0.1 on dbup-core 6.1.1): its net8.0 build depends on Npgsql 10.0.1, so
/// it restores beside our Npgsql 10.0.3 with no warning, takes our <see cref="NpgsqlDataSource"/>
/// (no second pool, no second place a password lives), and gives transaction-per-script and a
/// journal, which is what hand-written numbered files would have had to re-implement. What DbUp does
/// not do is keep two processes apart: the first <c>impact serve</c> workers of a pool start
/// together on an empty database. So the whole upgrade runs under a session advisory lock on a fixed
/// key, taken on a connection of its own; a second process waits there and then finds every script
/// in the journal. DbUp's connections are separate from the lock's, so the pool needs two (Npgsql's
/// default maximum is 100). The schema is made here rather than by DbUp, which would issue
/// <c>create schema if not exists</c> every time, and that needs the CREATE privilege on the database
/// even when the schema exists.
/// </remarks>
internal static class SchemaMigrator
{
    /// <summary>The advisory lock's key: "IMPACT" in ASCII, then migration lock 1. Every store process uses this one.</summary>
    public const long LockKey = 0x494D_5041_4354_0001;

    public const string Schema = "impact";

    /// <summary>How long a process waits for another's migration, and a script may run.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    /// <summary>Applies the scripts not yet applied and returns their names (none when up to date).</summary>
    /// <exception cref="StoreUnavailableException">The server failed, or a script did (named in the message).</exception>
    public static IReadOnlyList<string> Apply(StoreConnection store)
    {
        using NpgsqlConnection lockConnection = store.Open();
        try
        {
            Execute(lockConnection, "select pg_advisory_lock(@key)");
            try
            {
                EnsureSchema(lockConnection);
                return Upgrade(store);
            }
            finally
            {
                if (lockConnection.FullState == System.Data.ConnectionState.Open)
                    Execute(lockConnection, "select pg_advisory_unlock(@key)");
            }
        }
        catch (Exception e) when (StoreFailure.IsUnavailable(e))
        {
            throw store.Unavailable(e, connecting: false);
        }
        catch (PostgresException e)
        {
            // e.g. 42501: the user may not create the schema on this database.
            throw new StoreUnavailableException(
                StoreConnection.OneLine($"PostgreSQL at {store.Endpoint}: cannot prepare schema {Schema}: {e.MessageText} (SQLSTATE {e.SqlState})"), e)
            { Endpoint = store.Endpoint };
        }
    }

    /// <summary>The names of the embedded migrations, in the order they apply.</summary>
    public static IReadOnlyList<string> Scripts { get; } =
        [.. typeof(SchemaMigrator).Assembly.GetManifestResourceNames().Where(IsMigration).Order(StringComparer.Ordinal)];

    private static bool IsMigration(string resource) => resource.EndsWith(".sql", StringComparison.Ordinal);

    private static IReadOnlyList<string> Upgrade(StoreConnection store)
    {
        UpgradeEngine engine = PostgresqlExtensions.PostgresqlDatabase(new PostgresqlConnectionManager(store.DataSource))
            .WithScriptsEmbeddedInAssembly(typeof(SchemaMigrator).Assembly, IsMigration)
            .JournalToPostgresqlTable(Schema, "schemaversions")
            .WithTransactionPerScript()
            .WithVariablesDisabled() // a $name$ in a script is SQL (dollar quoting), not a DbUp variable
            .WithExecutionTimeout(Patience)
            .LogToNowhere()
            .Build();
        DatabaseUpgradeResult result = engine.PerformUpgrade();
        if (result.Successful)
            return [.. result.Scripts.Select(s => s.Name)];
        if (StoreFailure.IsUnavailable(result.Error))
            throw store.Unavailable(result.Error, connecting: false);
        string script = result.ErrorScript?.Name ?? "the journal";
        string cause = result.Error is PostgresException pg ? $"{pg.MessageText} (SQLSTATE {pg.SqlState})" : result.Error.Message;
        throw new StoreUnavailableException(
            StoreConnection.OneLine($"PostgreSQL at {store.Endpoint}: migration {script} failed: {cause}"), result.Error)
        { Endpoint = store.Endpoint };
    }

    private static void EnsureSchema(NpgsqlConnection connection)
    {
        using var exists = new NpgsqlCommand("select exists (select 1 from pg_namespace where nspname = @schema)", connection);
        exists.Parameters.AddWithValue("schema", Schema);
        if (!(bool)exists.ExecuteScalar()!)
        {
            using var create = new NpgsqlCommand($"create schema {Schema}", connection);
            create.ExecuteNonQuery();
        }
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = (int)Patience.TotalSeconds };
        command.Parameters.AddWithValue("key", LockKey);
        command.ExecuteNonQuery();
    }
}
