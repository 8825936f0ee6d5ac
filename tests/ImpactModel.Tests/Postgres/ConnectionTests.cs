using System.Net;
using System.Net.Sockets;
using ImpactModel.Postgres;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace ImpactModel.Tests.Postgres;

/// <summary>
/// A store that cannot be used says so in one line naming host:port and the cause, never the
/// password: each test gives a password no message could hold by chance.
/// </summary>
[Collection(PostgresServerDefinition.Name)]
public sealed class ConnectionTests(PostgresServer server)
{
    private const string Secret = "Zq9-distinctive-PASSWORD-e51c";

    [Fact]
    public void A_wrong_password_is_one_line_naming_host_and_port_and_never_the_password()
    {
        string wrong = With(server.WithDatabase("postgres"), s => s.Password = Secret);

        StoreUnavailableException e = Assert.Throws<StoreUnavailableException>(() => ResultStore.Open(wrong));

        Assert.Equal($"PostgreSQL at {server.Endpoint} refused user '{server.UserName}': password authentication failed", e.Message);
        AssertSafe(e, Secret);
    }

    [Fact]
    public void An_unreachable_port_is_one_line_naming_host_and_port()
    {
        int port = PostgresServer.FreePort();
        string nowhere = $"Host=127.0.0.1;Port={port};Username=impact;Password={Secret};Database=impact;Timeout=30";

        StoreUnavailableException e = Assert.Throws<StoreUnavailableException>(() => ResultStore.Open(nowhere));

        Assert.Equal($"cannot reach PostgreSQL at 127.0.0.1:{port}: connection refused", e.Message);
        Assert.Equal($"127.0.0.1:{port}", e.Endpoint);
        AssertSafe(e, Secret);
    }

    [Fact]
    public void An_unknown_host_name_is_one_line_naming_it()
    {
        string nowhere = $"Host=no-such-host.invalid;Username=impact;Password={Secret};Database=impact;Timeout=30";

        StoreUnavailableException e = Assert.Throws<StoreUnavailableException>(() => ResultStore.Open(nowhere));

        Assert.StartsWith("cannot reach PostgreSQL at no-such-host.invalid:5432: ", e.Message);
        AssertSafe(e, Secret);
    }

    [Fact]
    public void A_server_that_never_answers_times_out_in_one_line()
    {
        // The kernel completes the TCP handshake into the listener's backlog; nothing ever answers.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            int port = ((IPEndPoint)silent.LocalEndpoint).Port;
            string mute = $"Host=127.0.0.1;Port={port};Username=impact;Password={Secret};Database=impact;Timeout=2";

            StoreUnavailableException e = Assert.Throws<StoreUnavailableException>(() => ResultStore.Open(mute));

            Assert.Equal($"cannot reach PostgreSQL at 127.0.0.1:{port}: timed out", e.Message);
            AssertSafe(e, Secret);
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public void A_missing_database_is_named()
    {
        string missing = With(server.WithDatabase("no_such_database"), _ => { });

        StoreUnavailableException e = Assert.Throws<StoreUnavailableException>(() => ResultStore.Open(missing));

        Assert.Equal($"PostgreSQL at {server.Endpoint} has no database 'no_such_database'", e.Message);
        AssertSafe(e, PostgresServer.Password);
    }

    [Fact]
    public void No_password_for_a_server_that_asks_for_one_is_said_in_words()
    {
        string none = With(server.WithDatabase("postgres"), s => s.Password = null);
        if (server.External)
            return; // its authentication is not ours to know

        StoreUnavailableException e = Assert.Throws<StoreUnavailableException>(() => ResultStore.Open(none));

        Assert.Equal(
            $"PostgreSQL at {server.Endpoint} requires a password for user '{server.UserName}' and the connection string gives none",
            e.Message);
    }

    [Fact]
    public void Check_answers_the_server_version()
    {
        using StoreConnection connection = StoreConnection.Create(server.ConnectionString);
        Assert.Matches(@"^\d+(\.\d+)?", connection.Check());
    }

    [Fact]
    public void A_connection_string_that_does_not_parse_is_an_argument_error_without_the_password()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => StoreConnection.Create($"Host=h;Password={Secret};Port=notanumber"));
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("the PostgreSQL connection string is not valid: ", e.Message);

        ArgumentException hostless = Assert.Throws<ArgumentException>(() => StoreConnection.Create($"Username=u;Password={Secret}"));
        Assert.DoesNotContain(Secret, hostless.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=db.example;Port=5433;Username=impact;Password=Zq9-distinctive-PASSWORD-e51c;Database=impact")]
    [InlineData("host=db.example;password='Zq9-distinctive-PASSWORD-e51c';username=impact")]
    [InlineData("Host=db.example;PWD=Zq9-distinctive-PASSWORD-e51c;Username=impact")]
    [InlineData("Host=db.example;Username=impact;Password=\"Zq9-distinctive-PASSWORD-e51c\"")]
    [InlineData("Host=db.example;Port=notanumber;Password=Zq9-distinctive-PASSWORD-e51c;Username=impact")]
    [InlineData("postgresql://impact:Zq9-distinctive-PASSWORD-e51c@db.example:5432/impact")]
    public void Redacted_never_shows_the_password_and_keeps_the_host(string connectionString)
    {
        string redacted = StoreConnection.Redacted(connectionString);
        Assert.DoesNotContain(Secret, redacted, StringComparison.Ordinal);
        Assert.Contains("db.example", redacted, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Redacted_removes_the_password_and_keeps_the_rest()
    {
        string redacted = StoreConnection.Redacted($"Host=db.example;Port=5433;Username=impact;Password={Secret};Database=runs");
        var settings = new NpgsqlConnectionStringBuilder(redacted);
        Assert.Null(settings.Password);
        Assert.Equal(("db.example", 5433, "impact", "runs"), (settings.Host, settings.Port, settings.Username, settings.Database));
    }

    [Fact]
    public void The_connection_string_is_read_from_ConnectionStrings_Impact()
    {
        IConfiguration configured = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Impact"] = "Host=db;Username=u" })
            .Build();
        IConfiguration blank = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Impact"] = " " })
            .Build();

        Assert.Equal("Host=db;Username=u", StoreConnection.FromConfiguration(configured));
        Assert.Null(StoreConnection.FromConfiguration(blank));
        Assert.Null(StoreConnection.FromConfiguration(new ConfigurationBuilder().Build()));
    }

    [Fact]
    public void After_a_server_restart_the_store_fails_at_most_once_in_one_line_and_then_works()
    {
        if (server.External)
            return; // IMPACT_TEST_POSTGRES's server is not ours to restart
        using ResultStore store = ResultStore.Open(server.DatabaseFor(typeof(ConnectionTests)));
        long id = store.CreateRun(StoreTesting.Run(StoreTesting.NewScenario(store)));

        server.Restart();
        // A pooled connection broken by the restart fails once (Npgsql then drops it); the next is new.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Assert.Equal(id, store.GetRun(id)!.Id);
                break;
            }
            catch (StoreUnavailableException e) when (attempt == 1)
            {
                Assert.StartsWith($"lost connection to PostgreSQL at {server.Endpoint}: ", e.Message);
                AssertSafe(e, PostgresServer.Password);
            }
        }
    }

    private static string With(string connectionString, Action<NpgsqlConnectionStringBuilder> change)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 30 };
        change(settings);
        return settings.ConnectionString;
    }

    private static void AssertSafe(StoreUnavailableException e, string password)
    {
        Assert.DoesNotContain(password, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        Assert.DoesNotContain(password, e.ToString(), StringComparison.Ordinal);
    }
}
