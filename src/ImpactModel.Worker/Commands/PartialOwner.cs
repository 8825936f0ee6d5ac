using System.Diagnostics;
using System.Globalization;

namespace ImpactModel.Worker.Commands;

/// <summary>
/// Who writes a <c>DIR.partial-…</c> folder: its name ends with the writing process's id, that
/// process's start time and the machine's name (<c>DIR.partial-&lt;random&gt;-&lt;pid&gt;-&lt;start&gt;-&lt;host&gt;</c>),
/// so anyone on the same machine (<see cref="Machine"/>) can tell a live writer's folder from one abandoned by a
/// process that was killed. The start time is there because process ids are reused: a pid that
/// is alive but started at another time is another process.
/// </summary>
internal static class PartialOwner
{
    private const string Marker = ".partial-";

    /// <summary>
    /// Where a pid means something: the machine's name and, on Linux, the process-id namespace
    /// (<c>/proc/self/ns/pid</c>), since containers that share a host name (host networking) each
    /// number their processes afresh and cannot see one another's.
    /// </summary>
    public static string Machine { get; } = MachineOf();

    /// <summary>This process: <c>&lt;pid&gt;-&lt;start&gt;-&lt;host&gt;</c>.</summary>
    public static string Current { get; } =
        $"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{StartOf(Environment.ProcessId) ?? "0"}-{Machine}";

    /// <summary>
    /// True only when <paramref name="partialName"/> (a folder name containing <c>.partial-</c>)
    /// names a process on this machine that no longer runs. A folder of another machine, or with
    /// a name this version did not write, is never judged gone here: its owner cannot be asked
    /// (the lease decides for serve's run folders).
    /// </summary>
    public static bool IsGone(string partialName)
    {
        int at = partialName.LastIndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
            return false;
        string[] parts = partialName[(at + Marker.Length)..].Split('-', 4);
        if (parts.Length != 4 || parts[3] != Machine
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            return false;
        return StartOf(pid) != parts[2];
    }

    private static string MachineOf()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // "pid:[4026531836]": the namespace's inode number identifies it.
                string? link = new FileInfo("/proc/self/ns/pid").LinkTarget;
                string digits = new([.. (link ?? "").Where(char.IsAsciiDigit)]);
                if (digits.Length > 0)
                    return $"{Environment.MachineName}~{digits}";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // no /proc: the machine's name alone
            }
        }

        return Environment.MachineName;
    }

    /// <summary>
    /// The start time of process <paramref name="pid"/> as an opaque token, or null when no such
    /// process runs. On Linux it is field 22 of <c>/proc/PID/stat</c> (clock ticks since boot),
    /// exact and the same for every reader; elsewhere the start time in whole seconds.
    /// </summary>
    internal static string? StartOf(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
                // The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return fields.Length > 19 ? fields[19] : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return (process.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
