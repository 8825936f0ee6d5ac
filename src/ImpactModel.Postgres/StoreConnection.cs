using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace ImpactModel.Postgres;

/// <summary>
/// The one <see cref="NpgsqlDataSource"/> (connection pool) of a process for the results store,
/// built from a connection string in Npgsql's keyword form (<c>Host=…;Port=…;Username=…;Password=…;Database=…</c>).
/// Every failure to use the server becomes a <see cref="StoreUnavailableException"/> whose message is
/// one line naming <see cref="Endpoint"/> and the cause, never the password. Thread-safe; build one per
/// process and share it (normally through <see cref="ResultStore.Open"/>).
/// </summary>
public sealed partial class StoreConnection : IDisposable, IAsyncDisposable
{
    /// <summary>The name under <c>ConnectionStrings</c> in configuration (<c>ConnectionStrings:Impact</c>, env <c>IMPACT_CONNECTIONSTRINGS__IMPACT</c>).</summary>
    public const string ConfigurationName = "Impact";

    private readonly string? _password;

    private StoreConnection(NpgsqlDataSource dataSource, NpgsqlConnectionStringBuilder settings)
    {
        DataSource = dataSource;
        Endpoint = EndpointOf(settings.Host!, settings.Port);
        User = settings.Username;
        Database = settings.Database;
        _password = settings.Password;
    }

    /// <summary>The pool every store connection comes from.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The server as <c>host:port</c> (hosts and ports joined by commas when several are named).</summary>
    public string Endpoint { get; }

    /// <summary>The user name of the connection string; null when it names none (Npgsql then takes the OS user's).</summary>
    public string? User { get; }

    /// <summary>The database of the connection string; null when it names none (PostgreSQL then takes the user's name).</summary>
    public string? Database { get; }

    /// <summary>
    /// Parses <paramref name="connectionString"/> and builds its pool; connects to nothing yet (see
    /// <see cref="Check"/>). <paramref name="applicationName"/> is shown in <c>pg_stat_activity</c>
    /// unless the string names one itself.
    /// </summary>
    /// <exception cref="ArgumentException">The string is not a valid Npgsql connection string or names no host; the message is one line without the password.</exception>
    public static StoreConnection Create(string connectionString, string? applicationName = null)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        NpgsqlConnectionStringBuilder settings;
        try
        {
            settings = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            throw new ArgumentException(
                "the PostgreSQL connection string is not valid: " + OneLine(ScrubPasswords(e.Message)), e);
        }
        if (string.IsNullOrWhiteSpace(settings.Host))
            throw new ArgumentException("the PostgreSQL connection string names no Host (Host=…;Username=…;Password=…;Database=…)");
        if (applicationName is not null && string.IsNullOrEmpty(settings.ApplicationName))
            settings.ApplicationName = applicationName;
        NpgsqlDataSource dataSource;
        try
        {
            dataSource = new NpgsqlDataSourceBuilder(settings.ConnectionString).Build();
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException)
        {
            string message = OneLine(e.Message);
            if (!string.IsNullOrEmpty(settings.Password))
                message = message.Replace(settings.Password, "***", StringComparison.Ordinal);
            throw new ArgumentException("the PostgreSQL connection string is not valid: " + message, e);
        }
        return new StoreConnection(dataSource, settings);
    }

    /// <summary>
    /// The connection string configured as <c>ConnectionStrings:Impact</c> (appsettings, or the
    /// environment as <c>IMPACT_CONNECTIONSTRINGS__IMPACT</c> when the host reads variables with the
    /// <c>IMPACT_</c> prefix); null when none or blank.
    /// </summary>
    public static string? FromConfiguration(IConfiguration configuration)
    {
        string? value = configuration.GetConnectionString(ConfigurationName);
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>
    /// <paramref name="connectionString"/> without its password, for logs and messages. A string
    /// Npgsql cannot parse has every <c>Password=</c>/<c>Pwd=</c> value and URI password cut out instead.
    /// </summary>
    public static string Redacted(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        try
        {
            var settings = new NpgsqlConnectionStringBuilder(connectionString);
            settings.Remove("Password");
            return settings.ConnectionString;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            return ScrubPasswords(connectionString);
        }
    }

    /// <summary>
    /// Opens a connection and asks the server its version: the check a host makes before it
    /// relies on the store. Returns the server's version (e.g. <c>15.18</c>).
    /// </summary>
    /// <exception cref="StoreUnavailableException">The server cannot be used; the message says why in one line.</exception>
    public string Check()
    {
        using NpgsqlConnection connection = Open();
        try
        {
            using var command = new NpgsqlCommand("select current_setting('server_version')", connection);
            return (string)command.ExecuteScalar()!;
        }
        catch (Exception e) when (StoreFailure.IsUnavailable(e))
        {
            throw Unavailable(e, connecting: false);
        }
    }

    /// <summary>An open connection from the pool, or a <see cref="StoreUnavailableException"/> saying why not.</summary>
    internal NpgsqlConnection Open()
    {
        try
        {
            return DataSource.OpenConnection();
        }
        catch (Exception e) when (StoreFailure.IsUnavailable(e))
        {
            throw Unavailable(e, connecting: true);
        }
    }

    /// <summary>The one-line exception for <paramref name="failure"/>, with the password (if it ever appeared) masked.</summary>
    internal StoreUnavailableException Unavailable(Exception failure, bool connecting)
    {
        string message = OneLine(StoreFailure.Describe(failure, Endpoint, User, Database, connecting));
        if (!string.IsNullOrEmpty(_password))
            message = message.Replace(_password, "***", StringComparison.Ordinal);
        return new StoreUnavailableException(message, failure) { Endpoint = Endpoint };
    }

    /// <inheritdoc/>
    public void Dispose() => DataSource.Dispose();

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    internal static string OneLine(string text) => NewLines().Replace(text.Trim(), " ");

    /// <summary><c>host:port</c> for each host of Npgsql's comma-separated list (an IPv6 address in brackets).</summary>
    private static string EndpointOf(string hosts, int port)
    {
        var parts = new List<string>();
        foreach (string raw in hosts.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (IPAddress.TryParse(raw, out IPAddress? address) && address.AddressFamily == AddressFamily.InterNetworkV6)
                parts.Add($"[{raw}]:{port}");
            else if (raw.StartsWith('[') || (raw.Contains(':', StringComparison.Ordinal) && !raw.StartsWith('/')))
                parts.Add(raw); // already host:port
            else
                parts.Add($"{raw}:{port}");
        }
        return string.Join(",", parts);
    }

    private static string ScrubPasswords(string text)
        => UriPassword().Replace(KeywordPassword().Replace(text, "$1$2=***"), "$1***@");

    [GeneratedRegex(@"(^|;)\s*(password|pwd|psw)\s*=\s*(""(?:[^""]|"""")*""|'(?:[^']|'')*'|[^;]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeywordPassword();

    [GeneratedRegex(@"(://[^:/@\s]*:)[^@\s]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UriPassword();

    [GeneratedRegex(@"\s*[\r\n]+\s*")]
    private static partial Regex NewLines();
}
