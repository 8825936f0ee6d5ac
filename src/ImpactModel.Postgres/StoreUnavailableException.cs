namespace ImpactModel.Postgres;

/// <summary>
/// The PostgreSQL results store cannot be used: the server cannot be reached, refused the user, has
/// no such database, is starting or shutting down, or a migration failed. <see cref="Exception.Message"/>
/// is one line that names the server's <c>host:port</c> and the cause in words, for the host to print
/// as it is (exit code 1); it never holds the password.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    /// <summary>A store failure with no further detail.</summary>
    public StoreUnavailableException()
        : base("the PostgreSQL results store is unavailable")
    {
    }

    /// <summary>A store failure described by <paramref name="message"/> (one line).</summary>
    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>A store failure described by <paramref name="message"/> (one line), caused by <paramref name="innerException"/>.</summary>
    public StoreUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The server as <c>host:port</c>; empty when not known.</summary>
    public string Endpoint { get; init; } = "";
}
