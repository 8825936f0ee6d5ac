using ImpactModel.Reporting;
using ImpactModel.Tests.Cli;
using ImpactModel.Worker.Hosting;

namespace ImpactModel.Tests.Reporting;

[CollectionDefinition(Name)]
public sealed class ReviewRunsDefinition : ICollectionFixture<ReviewRuns>
{
    public const string Name = "Review runs";
}

/// <summary>
/// The shipped fraud scenario run once (3,000 persons, 12 replicates: enough for rank correlations,
/// which need 10) and copied three ways: as <c>impact run</c> wrote it before the review view (its four
/// files removed: the views fall back to what they showed before), with review files as a run without <c>--sensitivity</c> writes them
/// (rank correlations only), and as one with it (swings and switching values). Each copy's charts and
/// report are written again from its files.
/// </summary>
public sealed class ReviewRuns : IDisposable
{
    public ReviewRuns()
    {
        Root = Path.Combine(Path.GetTempPath(), "impact-review-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        string plain = Path.Combine(Root, "plain");
        CliRun run = CliRun.Of("run", ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml"),
            "--population", "3000", "--replicates", "12", "--seed", "5", "--out", plain);
        Assert.True(run.ExitCode == 0, run.Error);
        // A folder as the engine wrote it before the review view: without its four files.
        foreach (string file in (string[])["safeguards.csv", "principles.csv", "sensitivity.csv", "evidence.csv"])
            File.Delete(Path.Combine(plain, file));
        Directory.Delete(Path.Combine(plain, ReportWriter.ChartsFolder), recursive: true);
        File.Delete(Path.Combine(plain, ReportWriter.ReportFile));
        Plain = ReportWriter.WriteRun(plain, DiskScenarioFiles.Instance); // its charts and report as they were
        Correlations = ReviewFiles.Copy(plain, Path.Combine(Root, "correlations"), swings: false);
        Swings = ReviewFiles.Copy(plain, Path.Combine(Root, "swings"), swings: true);
    }

    public string Root { get; }

    /// <summary>The run folder without review files.</summary>
    public RunData Plain { get; }

    /// <summary>With review files, rank correlations only.</summary>
    public RunData Correlations { get; }

    /// <summary>With review files, swings and switching values.</summary>
    public RunData Swings { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
