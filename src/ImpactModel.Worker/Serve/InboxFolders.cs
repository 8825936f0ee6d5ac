using System.Globalization;
using System.Text.RegularExpressions;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Yaml;
using ImpactModel.Worker.Commands;

namespace ImpactModel.Worker.Serve;

/// <summary>
/// The folders of one kind of <c>impact serve</c>'s work (<see cref="ServeJob"/>: runs from the inbox
/// to the outbox, pilots from <c>inbox/pilots/</c> to <c>outbox/pilots/</c>) and the moves between
/// them. Every move is a rename without overwrite (on Linux a hard link then an unlink of the
/// source), so when two workers race for a file exactly one move succeeds and the other gets an
/// exception and skips the file.
/// </summary>
internal sealed partial class InboxFolders(string inbox, string outbox)
{
    public string Inbox { get; } = inbox;
    public string Outbox { get; } = outbox;
    public string Claimed => Path.Combine(Inbox, "claimed");
    public string Done => Path.Combine(Inbox, "done");
    public string Failed => Path.Combine(Inbox, "failed");

    public string InboxPath(string name) => Path.Combine(Inbox, name);

    public string ClaimedPath(string name) => Path.Combine(Claimed, name);

    /// <summary>Makes the inbox and its folders; the outbox is made by <see cref="CreateOutbox"/>.</summary>
    public void Create()
    {
        foreach (string dir in (string[])[Inbox, Claimed, Done, Failed])
            Directory.CreateDirectory(dir);
    }

    /// <summary>Makes the outbox if it is not there (the pilots' outbox is made when the first pilot is claimed).</summary>
    public void CreateOutbox() => Directory.CreateDirectory(Outbox);

    /// <summary>The <c>*.yaml</c> file names in the inbox, oldest first.</summary>
    public IReadOnlyList<(string Name, DateTime LastWriteUtc, long Length)> Candidates()
    {
        var result = new List<(string, DateTime, long)>();
        foreach (FileInfo file in new DirectoryInfo(Inbox).EnumerateFiles("*.yaml"))
        {
            try
            {
                result.Add((file.Name, file.LastWriteTimeUtc, file.Length));
            }
            catch (FileNotFoundException)
            {
                // claimed by another worker while listing
            }
        }

        return result.OrderBy(f => f.Item2).ThenBy(f => f.Item1, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Claims <paramref name="name"/>: touches it (its last-write time is the start of the lease, and
    /// a rename keeps it) and renames it into <c>claimed/</c>. False if another worker was first.
    /// </summary>
    public bool TryClaim(string name, DateTime nowUtc)
    {
        string source = InboxPath(name);
        try
        {
            File.SetLastWriteTimeUtc(source, nowUtc);
            File.Move(source, ClaimedPath(name), overwrite: false);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone (claimed elsewhere) or claimed/<name> exists: another worker has it
        }
    }

    /// <summary>Renews the lease on a claimed file; false if it is no longer there.</summary>
    public bool Touch(string name, DateTime nowUtc)
    {
        try
        {
            File.SetLastWriteTimeUtc(ClaimedPath(name), nowUtc);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Puts a claimed file back in the inbox; false if a file of that name is there already (it stays claimed).</summary>
    public bool Return(string name)
    {
        try
        {
            File.Move(ClaimedPath(name), InboxPath(name), overwrite: false);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Claimed files whose lease ran out (their worker died), except <paramref name="own"/>.</summary>
    public IReadOnlyList<string> Expired(TimeSpan lease, DateTime nowUtc, string? own)
    {
        var result = new List<string>();
        foreach (FileInfo file in new DirectoryInfo(Claimed).EnumerateFiles("*.yaml"))
        {
            try
            {
                if (file.Name != own && nowUtc - file.LastWriteTimeUtc >= lease)
                    result.Add(file.Name);
            }
            catch (FileNotFoundException)
            {
                // finished or returned meanwhile
            }
        }

        return result;
    }

    /// <summary><c>claimed/x.yaml</c> → <c>claimed/x.yaml.claim</c>: the run folder the claim of <c>x.yaml</c> writes.</summary>
    public string ClaimRecordPath(string name) => ClaimedPath(name) + ClaimRecordSuffix;

    private const string ClaimRecordSuffix = ".claim";

    /// <summary>
    /// Records that the claim of <paramref name="name"/> writes the run folder <paramref name="runFolder"/>
    /// (a name in the outbox). Written to a temporary file and renamed, so a reader sees the whole
    /// name or no record. The record fixes the claim's outcome: whoever finds the claim abandoned
    /// also finds whether its run folder is complete.
    /// </summary>
    public void WriteClaim(string name, string runFolder)
    {
        string record = ClaimRecordPath(name);
        string temporary = $"{record}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp";
        File.WriteAllText(temporary, Path.GetFileName(runFolder) + "\n");
        File.Move(temporary, record, overwrite: true);
    }

    /// <summary>The run folder (a name in the outbox) that the claim of <paramref name="name"/> writes, or null without a record.</summary>
    public string? ReadClaim(string name)
    {
        try
        {
            string folder = File.ReadAllText(ClaimRecordPath(name)).Trim();
            // Only a plain folder name: the record never points outside the outbox.
            return folder.Length > 0 && folder == Path.GetFileName(folder) && folder != ".." ? folder : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Deletes the claim record of <paramref name="name"/> if it still names <paramref name="runFolder"/>:
    /// once the file has moved on, a new file of the same name may already be claimed with a record
    /// of its own, which must stay.
    /// </summary>
    public void DeleteClaim(string name, string runFolder)
    {
        if (ReadClaim(name) != Path.GetFileName(runFolder))
            return;
        try
        {
            File.Delete(ClaimRecordPath(name));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // another worker removed it, or it cannot be: an orphan record is harmless and removed later
        }
    }

    /// <summary>
    /// Claim records (and their temporary files) whose claimed file is gone and that are older than
    /// <paramref name="lease"/>: left by a worker that stopped between moving its file on and
    /// deleting the record. The age keeps a record being written for a new claim safe.
    /// </summary>
    public int RemoveOrphanClaims(TimeSpan lease, DateTime nowUtc)
    {
        int removed = 0;
        foreach (FileInfo record in new DirectoryInfo(Claimed).EnumerateFiles("*.yaml" + ClaimRecordSuffix + "*"))
        {
            try
            {
                string yaml = record.Name[..(record.Name.IndexOf(".yaml" + ClaimRecordSuffix, StringComparison.Ordinal) + ".yaml".Length)];
                if (File.Exists(ClaimedPath(yaml)) || nowUtc - record.LastWriteTimeUtc < lease)
                    continue;
                record.Delete();
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // removed by another worker meanwhile
            }
        }

        return removed;
    }

    /// <summary>True if the outbox holds the complete run folder <paramref name="runFolder"/> (never a partial one: those are renamed only when complete).</summary>
    public bool IsComplete(string runFolder) => Directory.Exists(Path.Combine(Outbox, runFolder));

    /// <summary>Deletes every <c>RUNFOLDER.partial-*</c> of <paramref name="runFolder"/>: called when its claim was abandoned, so no live worker writes it.</summary>
    public IReadOnlyList<string> DeletePartials(string runFolder) =>
        DeletePartialsWhere(Path.GetFileName(runFolder) + ".partial-*", _ => true);

    /// <summary>
    /// Deletes partial run folders in the outbox whose writing process is known to be gone: one on
    /// this machine whose pid and start time no longer name a live process (<see cref="PartialOwner"/>).
    /// A live writer's folder, or another machine's, is left alone.
    /// </summary>
    public IReadOnlyList<string> RemoveAbandonedPartials() =>
        DeletePartialsWhere("*.partial-*", PartialOwner.IsGone);

    private List<string> DeletePartialsWhere(string pattern, Func<string, bool> abandoned)
    {
        var removed = new List<string>();
        if (!Directory.Exists(Outbox))
            return removed; // nothing written yet
        foreach (DirectoryInfo dir in new DirectoryInfo(Outbox).EnumerateDirectories(pattern))
        {
            if (!abandoned(dir.Name))
                continue;
            try
            {
                dir.Delete(recursive: true);
                removed.Add(dir.Name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // another worker is removing it too
            }
        }

        return removed;
    }

    /// <summary>Moves a claimed file to <c>done/</c>; returns its path there (renamed if a file of that name is there already).</summary>
    public string MoveToDone(string name, DateTime nowUtc)
    {
        string target = Unique(Done, name, nowUtc);
        File.Move(ClaimedPath(name), target, overwrite: false);
        return target;
    }

    /// <summary>
    /// Moves a claimed file to <c>failed/</c> with <c>&lt;stem&gt;.error.txt</c> beside it holding
    /// <paramref name="lines"/>; the error file is written first, so a file in <c>failed/</c> always has it.
    /// </summary>
    public string MoveToFailed(string name, IEnumerable<string> lines, DateTime nowUtc)
    {
        string target = Unique(Failed, name, nowUtc);
        File.WriteAllText(ErrorPath(target), string.Concat(lines.Select(l => l + "\n")));
        File.Move(ClaimedPath(name), target, overwrite: false);
        return target;
    }

    /// <summary><c>failed/x.yaml</c> → <c>failed/x.error.txt</c>.</summary>
    public static string ErrorPath(string failedFile) =>
        Path.Combine(Path.GetDirectoryName(failedFile) ?? "", Path.GetFileNameWithoutExtension(failedFile) + ".error.txt");

    /// <summary>A run (or pilot) folder in the outbox that does not exist yet: <c>&lt;stem&gt;-yyyyMMdd-HHmmss</c>, then <c>-2</c>, <c>-3</c>…</summary>
    public string RunFolder(string name, DateTime nowUtc)
    {
        string stem = Path.GetFileNameWithoutExtension(name);
        string baseName = $"{stem}-{nowUtc.ToLocalTime().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        string dir = Path.Combine(Outbox, baseName);
        for (int i = 2; Directory.Exists(dir) || File.Exists(dir) || Directory.EnumerateDirectories(Outbox, Path.GetFileName(dir) + ".partial-*").Any(); i++)
            dir = Path.Combine(Outbox, $"{baseName}-{i}");
        return dir;
    }

    private static string Unique(string folder, string name, DateTime nowUtc)
    {
        string target = Path.Combine(folder, name);
        if (!File.Exists(target) && !File.Exists(ErrorPath(target)))
            return target;
        string stem = Path.GetFileNameWithoutExtension(name);
        string stamp = nowUtc.ToLocalTime().ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture);
        for (int i = 1; ; i++)
        {
            target = Path.Combine(folder, i == 1 ? $"{stem}-{stamp}.yaml" : $"{stem}-{stamp}-{i}.yaml");
            if (!File.Exists(target) && !File.Exists(ErrorPath(target)))
                return target;
        }
    }

    /// <summary>
    /// A scenario to run has a top-level <c>strand:</c>; anything else (a shared population file)
    /// stays in the inbox untouched. A file that is not valid YAML counts as a scenario when a line
    /// starts with <c>strand:</c>, so that it fails with its positioned messages.
    /// </summary>
    public static bool IsScenario(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        var errors = new List<ScenarioError>();
        YamlNode? root;
        try
        {
            root = YamlDocumentReader.Read(path, bytes, errors);
        }
#pragma warning disable CA1031 // a file the reader cannot make sense of is judged by its text below
        catch (Exception)
#pragma warning restore CA1031
        {
            root = null;
        }

        if (root is YamlMapping map)
            return map["strand"] is not null;
        return root is null && StrandLine().IsMatch(System.Text.Encoding.UTF8.GetString(bytes));
    }

    [GeneratedRegex(@"^[""']?strand[""']?[ \t]*:", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex StrandLine();
}
