using System.Net.Sockets;
using System.Security.Authentication;
using Npgsql;

namespace ImpactModel.Postgres;

/// <summary>
/// Which exceptions mean "the store cannot be used" (rather than a bug in a statement), and the
/// one line that says so. SQLSTATE classes from the PostgreSQL manual, appendix A "PostgreSQL Error Codes".
/// </summary>
internal static class StoreFailure
{
    /// <summary>
    /// True for failures of the server or the way to it: Npgsql's own exceptions (socket, DNS, timeout,
    /// TLS, closed stream, pool exhausted) and server errors of the classes 08 (connection), 28
    /// (authorisation), 53 (insufficient resources), 57 (operator intervention) and 3D000 (no such
    /// database). A constraint violation or a syntax error is a bug and stays what it is.
    /// </summary>
    public static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("28", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("57", StringComparison.Ordinal)
            || pg.SqlState == PostgresErrorCodes.InvalidCatalogName,
        NpgsqlOperationInProgressException => false, // two commands at once on one connection: a bug
        NpgsqlException => true,
        SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>
    /// The cause in words, naming <paramref name="endpoint"/>: while <paramref name="connecting"/>
    /// "cannot reach PostgreSQL at …", afterwards "lost connection to PostgreSQL at …".
    /// </summary>
    public static string Describe(Exception e, string endpoint, string? user, string? database, bool connecting)
    {
        string who = user is null ? "the user" : $"user '{user}'";
        if (e is PostgresException pg)
        {
            return pg.SqlState switch
            {
                PostgresErrorCodes.InvalidPassword => $"PostgreSQL at {endpoint} refused {who}: password authentication failed",
                PostgresErrorCodes.InvalidAuthorizationSpecification => $"PostgreSQL at {endpoint} refused {who}: {pg.MessageText}",
                PostgresErrorCodes.InvalidCatalogName => $"PostgreSQL at {endpoint} has no database '{database ?? user}'",
                PostgresErrorCodes.TooManyConnections => $"PostgreSQL at {endpoint} has no connection to spare: {pg.MessageText}",
                PostgresErrorCodes.CannotConnectNow => $"PostgreSQL at {endpoint} is not accepting connections: {pg.MessageText}",
                PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                    => $"lost connection to PostgreSQL at {endpoint}: the server is shutting down ({pg.MessageText})",
                _ => $"PostgreSQL at {endpoint}: {pg.MessageText} (SQLSTATE {pg.SqlState})",
            };
        }
        if (e.Message.StartsWith("No password has been provided", StringComparison.Ordinal))
            return $"PostgreSQL at {endpoint} requires a password for {who} and the connection string gives none";
        string lead = connecting ? $"cannot reach PostgreSQL at {endpoint}" : $"lost connection to PostgreSQL at {endpoint}";
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException { SocketErrorCode: SocketError.AddressNotAvailable } when endpoint.StartsWith('/'):
                    return $"{lead}: no server socket in that folder"; // a unix socket path that does not exist
                case SocketException socket:
                    return $"{lead}: {Words(socket)}";
                case TimeoutException:
                    return $"{lead}: timed out";
                case AuthenticationException tls:
                    return $"{lead}: TLS handshake failed ({tls.Message})";
                case EndOfStreamException or IOException when inner.InnerException is null:
                    return $"{lead}: the server closed the connection";
            }
        }
        return $"{lead}: {e.Message}";
    }

    private static string Words(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound => "host name not found",
        SocketError.TryAgain => "host name not found (the name server did not answer)",
        SocketError.NoData => "the host name has no address",
        SocketError.TimedOut => "timed out",
        SocketError.HostUnreachable or SocketError.HostDown => "host unreachable",
        SocketError.NetworkUnreachable or SocketError.NetworkDown => "network unreachable",
        SocketError.ConnectionReset or SocketError.ConnectionAborted => "the server closed the connection",
        SocketError.AccessDenied => "access denied",
        SocketError.AddressNotAvailable => "address not available",
        _ => e.Message,
    };
}
