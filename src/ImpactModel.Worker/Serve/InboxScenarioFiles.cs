using ImpactModel.Scenarios;
using ImpactModel.Worker.Hosting;

namespace ImpactModel.Worker.Serve;

/// <summary>
/// A claimed scenario is loaded under its inbox path (<c>inbox/x.yaml</c>), so its messages name
/// the file the user dropped and its references (a shared population file) resolve relative to
/// the inbox, where they stay; only the bytes of that one path are read from <c>inbox/claimed/x.yaml</c>.
/// Files are read as the host's <paramref name="disk"/> reads them (its size limit, <c>Scenarios:MaxFileBytes</c>).
/// </summary>
internal sealed class InboxScenarioFiles(string inboxPath, string claimedPath, DiskScenarioFiles disk) : IScenarioFiles
{
    public string Resolve(string referencingFile, string relativePath) => disk.Resolve(referencingFile, relativePath);

    public ScenarioFileContent Read(string path) =>
        disk.Read(string.Equals(path, inboxPath, StringComparison.Ordinal) ? claimedPath : path);
}
