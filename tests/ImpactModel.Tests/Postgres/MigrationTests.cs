using ImpactModel.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ImpactModel.Tests.Postgres;

[Collection(PostgresServerDefinition.Name)]
public sealed class MigrationTests(PostgresServer server)
{
    [Fact]
    public async Task Eight_stores_opening_an_empty_database_at_once_all_succeed_and_apply_each_migration_once()
    {
        string database = server.NewDatabase();
        const int Openers = 8;
        using var ready = new Barrier(Openers);
        // Each open builds its own pool, as a process of its own would: the advisory lock is per
        // session, so eight pools are eight contenders.
        Task<ResultStore>[] opens = [.. Enumerable.Range(0, Openers).Select(i => Task.Factory.StartNew(() =>
        {
            ready.SignalAndWait(TimeSpan.FromMinutes(2));
            return ResultStore.Open(database, $"migration-test-{i}");
        }, TaskCreationOptions.LongRunning))];
        try
        {
            ResultStore[] stores = await Task.WhenAll(opens).WaitAsync(TimeSpan.FromMinutes(5));
            string[] applied = [.. stores.SelectMany(s => s.AppliedMigrations)];
            Assert.Equal(SchemaMigrator.Scripts, applied.Order(StringComparer.Ordinal));
            Assert.Equal(SchemaMigrator.Scripts, Journal(database));
        }
        finally
        {
            foreach (Task<ResultStore> open in opens.Where(o => o.IsCompletedSuccessfully))
                await (await open).DisposeAsync();
        }
    }

    [Fact]
    public void Opening_an_up_to_date_database_applies_nothing()
    {
        string database = server.NewDatabase();
        using (ResultStore first = ResultStore.Open(database))
            Assert.Equal(SchemaMigrator.Scripts, first.AppliedMigrations);
        using ResultStore second = ResultStore.Open(database);
        Assert.Empty(second.AppliedMigrations);
        Assert.Equal(SchemaMigrator.Scripts, Journal(database));
    }

    [Fact]
    public void The_first_migration_makes_every_table_in_schema_impact()
    {
        string database = server.NewDatabase();
        using (ResultStore.Open(database))
        {
        }
        using var connection = new NpgsqlConnection(database);
        connection.Open();
        using var command = new NpgsqlCommand(
            "select table_name from information_schema.tables where table_schema = 'impact' order by table_name", connection);
        var tables = new List<string>();
        using (NpgsqlDataReader reader = command.ExecuteReader())
        {
            while (reader.Read())
                tables.Add(reader.GetString(0));
        }
        Assert.Equal(["results", "run_files", "runs", "scenarios", "schemaversions", "shard_tallies", "shards"], tables);
    }

    [Fact]
    public void The_migrations_are_embedded_and_numbered()
    {
        Assert.NotEmpty(SchemaMigrator.Scripts);
        Assert.Equal("0001_initial.sql", SchemaMigrator.Scripts[0]);
        Assert.All(SchemaMigrator.Scripts, s => Assert.Matches(@"^\d{4}_[a-z0-9_]+\.sql$", s));
    }

    [Fact]
    public void The_host_registers_one_store_opened_on_first_use()
    {
        string database = server.NewDatabase();
        var services = new ServiceCollection().AddImpactPostgres(database, "di-test");
        using (ServiceProvider provider = services.BuildServiceProvider())
        {
            ResultStore store = provider.GetRequiredService<ResultStore>();
            Assert.Same(store, provider.GetRequiredService<ResultStore>());
            Assert.Equal(SchemaMigrator.Scripts, store.AppliedMigrations);
        }
        Assert.Equal(SchemaMigrator.Scripts, Journal(database));
    }

    private static List<string> Journal(string database)
    {
        using var connection = new NpgsqlConnection(database);
        connection.Open();
        using var command = new NpgsqlCommand("select scriptname from impact.schemaversions order by scriptname", connection);
        var names = new List<string>();
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
            names.Add(reader.GetString(0));
        return names;
    }
}
