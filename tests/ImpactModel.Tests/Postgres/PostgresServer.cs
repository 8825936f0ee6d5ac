using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ImpactModel.Tests.Postgres;

[CollectionDefinition(Name)]
public sealed class PostgresServerDefinition : ICollectionFixture<PostgresServer>
{
    public const string Name = "Postgres";
}

/// <summary>
/// A real PostgreSQL server for the store's tests, shared by the collection. Unless
/// <c>IMPACT_TEST_POSTGRES</c> gives a connection string (to a server where the user may create
/// databases), it makes one: <c>initdb</c> into a temporary folder, then <c>pg_ctl start</c> on a free
/// TCP port of 127.0.0.1 (and a unix socket in the folder), user <c>impact</c> with
/// <see cref="Password"/>, SCRAM password authentication for TCP. PostgreSQL refuses to run as root,
/// so as root the server's commands run through <c>runuser -u nobody --</c> and the folder is nobody's.
/// If the server cannot be made, the constructor throws and every test of the collection fails
/// with the reason (never a silent skip). <see cref="Dispose"/> stops it (<c>-m immediate</c>, else a
/// kill of the postmaster) and deletes the folder on every path, at process exit too.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    public const string User = "impact";

    /// <summary>The password of <see cref="User"/> on the server made here.</summary>
    public const string Password = "impact-test-5c1e9b";

    public const string Host = "127.0.0.1";

    /// <summary>How long a server command may take: generous, the machine is shared (2 cores, load up to 15).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly string? _root;
    private readonly string? _bin;
    private readonly string? _runAs;
    private readonly ConcurrentDictionary<string, string> _classDatabases = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<string> _created = [];
    private int _databases;
    private int _disposed;

    public PostgresServer()
    {
        string? external = Environment.GetEnvironmentVariable("IMPACT_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(external))
        {
            var settings = new NpgsqlConnectionStringBuilder(external);
            ConnectionString = external;
            Port = settings.Port;
            External = true;
            return;
        }
        _bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL's server is not installed (no initdb on PATH nor in /usr/lib/postgresql/*/bin): " +
            "install Debian's package 'postgresql' (tests/run.sh does), or set IMPACT_TEST_POSTGRES to a connection string");
        bool root = Environment.UserName == "root";
        _runAs = root ? "nobody" : null;
        // As root, the folder must be reachable by nobody: /tmp, whatever TMPDIR says.
        string parent = root ? "/tmp" : Path.GetTempPath();
        _root = Path.Combine(parent, "impact-pg-" + Guid.NewGuid().ToString("N")[..10]);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        try
        {
            Port = Start();
            ConnectionString = WithDatabase("postgres");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>To the maintenance database <c>postgres</c>.</summary>
    public string ConnectionString { get; } = "";

    public int Port { get; }

    /// <summary>The server as the store names it: <c>host:port</c>.</summary>
    public string Endpoint => $"{new NpgsqlConnectionStringBuilder(ConnectionString).Host}:{Port}";

    /// <summary>The user of <see cref="ConnectionString"/> (<see cref="User"/> on the server made here).</summary>
    public string UserName => new NpgsqlConnectionStringBuilder(ConnectionString).Username ?? User;

    /// <summary>True when the server is IMPACT_TEST_POSTGRES's (not restarted, not stopped here).</summary>
    public bool External { get; }

    private string DataFolder => Path.Combine(_root!, "data");

    private string LogFile => Path.Combine(_root!, "server.log");

    /// <summary>Creates an empty database and returns a connection string to it (as <see cref="User"/>, with the password).</summary>
    public string NewDatabase()
    {
        string name = string.Create(CultureInfo.InvariantCulture,
            $"impact_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}");
        using (var connection = new NpgsqlConnection(Admin(ConnectionString)))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
            create.ExecuteNonQuery();
        }
        _created.Add(name);
        return WithDatabase(name);
    }

    /// <summary>One database per test class (made on first use), for tests that may share one.</summary>
    public string DatabaseFor(Type testClass)
        => _classDatabases.GetOrAdd(testClass.FullName!, _ => NewDatabase());

    /// <summary><see cref="ConnectionString"/> to <paramref name="database"/>.</summary>
    public string WithDatabase(string database)
    {
        var settings = External
            ? new NpgsqlConnectionStringBuilder(ConnectionString)
            : new NpgsqlConnectionStringBuilder
            {
                Host = Host,
                Port = Port,
                Username = User,
                Password = Password,
                Timeout = 60,
                CommandTimeout = 300,
            };
        settings.Database = database;
        return settings.ConnectionString;
    }

    /// <summary>Restarts the server (<c>pg_ctl restart -m fast</c>): open connections break, the data stays.</summary>
    public void Restart()
    {
        if (External)
            throw new InvalidOperationException("IMPACT_TEST_POSTGRES's server is not restarted by the tests");
        PgCtl("restart", "-m", "fast");
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        if (External)
        {
            DropCreatedDatabases();
            return;
        }
        if (_root is null)
            return;
        Stop();
        for (int attempt = 0; Directory.Exists(_root); attempt++)
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && attempt < 20)
            {
                Thread.Sleep(250);
            }
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    /// <summary>initdb, then pg_ctl start on a free port; a port taken meanwhile is tried again with another.</summary>
    private int Start()
    {
        Directory.CreateDirectory(Path.Combine(_root!, "socket"));
        string pwfile = Path.Combine(_root!, "pwfile");
        File.WriteAllText(pwfile, Password + "\n");
        if (_runAs is not null)
            Run("chown", "-R", _runAs + ":", _root!);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(_root!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Server(Path.Combine(_bin!, "initdb"), "-D", DataFolder, "-U", User, "--pwfile=" + pwfile,
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync");
        File.Delete(pwfile);
        string configuration = File.ReadAllText(Path.Combine(DataFolder, "postgresql.conf"));
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort();
            // Speed over durability: the server lives as long as the test run.
            File.WriteAllText(Path.Combine(DataFolder, "postgresql.conf"), configuration + $"""

                listen_addresses = '{Host}'
                port = {port}
                unix_socket_directories = '{Path.Combine(_root!, "socket")}'
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                max_connections = 200

                """);
            try
            {
                PgCtl("start");
                return port;
            }
            catch (InvalidOperationException) when (attempt < 3 && LogTail().Contains("could not bind", StringComparison.Ordinal))
            {
                // The port was taken between FreePort and the server's bind: another.
            }
        }
    }

    private void Stop()
    {
        string pidFile = Path.Combine(DataFolder, "postmaster.pid");
        if (!File.Exists(pidFile))
            return;
        try
        {
            PgCtl("stop", "-m", "immediate");
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Fall through to the kill below.
        }
        if (File.Exists(pidFile)
            && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), CultureInfo.InvariantCulture, out int pid))
        {
            try
            {
                using var postmaster = Process.GetProcessById(pid);
                postmaster.Kill(entireProcessTree: true);
                postmaster.WaitForExit(10_000);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    private void PgCtl(string action, params string[] options)
        => Server(Path.Combine(_bin!, "pg_ctl"),
            ["-D", DataFolder, "-l", LogFile, "-w", "-t", ((int)Patience.TotalSeconds).ToString(CultureInfo.InvariantCulture), .. options, action]);

    /// <summary>Runs a server command, as <see cref="_runAs"/> when root.</summary>
    private void Server(string program, params string[] args)
    {
        if (_runAs is null)
            Run(program, args);
        else
            Run("runuser", ["-u", _runAs, "--", program, .. args]);
    }

    /// <summary>Runs a command in the server's folder; throws with its output (and the server log's end) if it fails or hangs.</summary>
    private void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _root,
        };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["LC_ALL"] = "C";
        using Process process = Process.Start(start)
            ?? throw new InvalidOperationException($"could not start {program}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Patience))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
            throw new TimeoutException($"{Describe(program, args)} did not finish in {Patience.TotalSeconds} s; server log: {LogTail()}");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Describe(program, args)} exited with {process.ExitCode}: {stderr.Result.Trim()} {stdout.Result.Trim()}; server log: {LogTail()}");
        }
    }

    private static string Describe(string program, string[] args) => string.Join(' ', [program, .. args]);

    private string LogTail()
    {
        try
        {
            string[] lines = File.ReadAllLines(LogFile);
            return string.Join(" | ", lines.Skip(Math.Max(0, lines.Length - 15)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "(no log)";
        }
    }

    private void DropCreatedDatabases()
    {
        using var connection = new NpgsqlConnection(Admin(ConnectionString));
        connection.Open();
        foreach (string name in _created)
        {
            using var drop = new NpgsqlCommand($"drop database if exists \"{name}\" with (force)", connection);
            drop.ExecuteNonQuery();
        }
    }

    /// <summary>The fixture's own connections are not pooled, so none outlives the statement that needed it.</summary>
    private static string Admin(string connectionString)
        => new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    /// <summary>A TCP port of 127.0.0.1 free a moment ago (the kernel's choice).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>The folder of initdb and pg_ctl: PATH's initdb (its link followed), else the newest /usr/lib/postgresql/*/bin.</summary>
    private static string? FindBinaries()
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = new FileInfo(Path.Combine(folder, "initdb"));
            if (!initdb.Exists)
                continue;
            string real = initdb.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb.FullName;
            string bin = Path.GetDirectoryName(real)!;
            if (File.Exists(Path.Combine(bin, "pg_ctl")))
                return bin;
        }
        const string debian = "/usr/lib/postgresql";
        if (!Directory.Exists(debian))
            return null;
        return Directory.GetDirectories(debian)
            .Select(d => (Folder: Path.Combine(d, "bin"), Version: double.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out double v) ? v : 0))
            .Where(d => File.Exists(Path.Combine(d.Folder, "initdb")) && File.Exists(Path.Combine(d.Folder, "pg_ctl")))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Folder)
            .FirstOrDefault();
    }
}
