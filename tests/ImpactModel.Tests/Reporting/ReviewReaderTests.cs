using ImpactModel.Reporting;

namespace ImpactModel.Tests.Reporting;

/// <summary>The review view's four files as the reader takes them: optional, RFC 4180 quoting, one-line messages naming file and line.</summary>
public sealed class ReviewReaderTests : IDisposable
{
    private const string Scenario = "fraud-x";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "impact-review-reader-" + Guid.NewGuid().ToString("N"));

    public ReviewReaderTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly string SafeguardsText =
        "scenario,strand,safeguard,effect,group,metric,mean,ci_low,ci_high,replicates\n"
        + "fraud-x,fraud-error-debt,human-review,marginal,all,wrongful_adverse_actions,-1234.5,-2000,-500.25,20\n"
        + "fraud-x,fraud-error-debt,human-review,solo,rest,hardship,3,,,1\n"
        + "fraud-x,fraud-error-debt,human-review,marginal,all,wrongful_adverse_actions_cost_per_avoided,,,,0\n";

    private static readonly string PrinciplesText =
        "scenario,principle,safeguard\nfraud-x,accuracy,human-review\nfraud-x,security,\n";

    private static readonly string SensitivityText =
        "scenario,strand,parameter,metric,low,high,swing,rank,spearman,switching_value\n"
        + "fraud-x,fraud-error-debt,data_sources.hmrc-rti.coverage,net_benefit_vs_status_quo,-1e6,2.5e6,3.5e6,1,0.75,0.8125\n"
        + "fraud-x,fraud-error-debt,discount_rate,hardship,,,,,,\n";

    // A value with a comma, a source with a comma, doubled quotes and a line break, an empty source.
    private static readonly string EvidenceText =
        "scenario,parameter,value,source,grade,sensitivity_rank\n"
        + "fraud-x,fraud.x,\"beta(2, 50)\",\"Survey, \"\"2022\"\"\nsecond line\",assumption,3\n"
        + "fraud-x,discount_rate,0.035,,published-statistic,\n";

    private string Folder(string name, params (string File, string Text)[] files)
    {
        string folder = Path.Combine(_root, name);
        Directory.CreateDirectory(folder);
        foreach ((string file, string text) in files)
            File.WriteAllText(Path.Combine(folder, file), text);
        return folder;
    }

    [Fact]
    public void A_folder_without_the_files_has_none_of_them()
    {
        ReviewData review = RunFolderReader.ReadReview(Folder("empty"), Scenario);
        Assert.Equal(ReviewData.None, review);
        Assert.Null(review.Safeguards);
        Assert.Null(review.Evidence);
    }

    [Fact]
    public void The_four_files_read_back_field_for_field_with_quoted_commas_quotes_and_line_breaks()
    {
        string folder = Folder("all", (RunFolderReader.SafeguardsFile, SafeguardsText), (RunFolderReader.PrinciplesFile, PrinciplesText),
            (RunFolderReader.SensitivityFile, SensitivityText), (RunFolderReader.EvidenceFile, EvidenceText));
        ReviewData review = RunFolderReader.ReadReview(folder, Scenario);
        Assert.Equal(
        [
            new SafeguardLine("human-review", "marginal", "all", "wrongful_adverse_actions", -1234.5, -2000, -500.25, 20),
            new SafeguardLine("human-review", "solo", "rest", "hardship", 3, null, null, 1),
            new SafeguardLine("human-review", "marginal", "all", "wrongful_adverse_actions_cost_per_avoided", null, null, null, 0),
        ], review.Safeguards);
        Assert.Equal([new PrincipleLine("accuracy", "human-review"), new PrincipleLine("security", null)], review.Principles);
        Assert.Equal(
        [
            new SensitivityLine("data_sources.hmrc-rti.coverage", "net_benefit_vs_status_quo", -1e6, 2.5e6, 3.5e6, 1, 0.75, 0.8125),
            new SensitivityLine("discount_rate", "hardship", null, null, null, null, null, null),
        ], review.Sensitivity);
        Assert.Equal(
        [
            new EvidenceLine("fraud.x", "beta(2, 50)", "Survey, \"2022\"\nsecond line", "assumption", 3),
            new EvidenceLine("discount_rate", "0.035", null, "published-statistic", null),
        ], review.Evidence);
    }

    [Fact]
    public void What_the_test_helper_writes_the_reader_reads_back()
    {
        string[] fields = ["fraud-x", "p", "normal(1, 2)", "He said \"no\", then\nleft", "assumption", ""];
        string folder = Folder("helper", (RunFolderReader.EvidenceFile, string.Join(',', RunFolderReader.EvidenceColumns) + "\n" + ReviewFiles.Csv(fields) + "\n"));
        EvidenceLine line = Assert.Single(RunFolderReader.ReadReview(folder, Scenario).Evidence!);
        Assert.Equal(new EvidenceLine("p", "normal(1, 2)", "He said \"no\", then\nleft", "assumption", null), line);
    }

    public static TheoryData<string, string, string> Malformed => new()
    {
        { RunFolderReader.SafeguardsFile, "scenario,strand,safeguard\n", "safeguards.csv:1: expected the header" },
        { RunFolderReader.SafeguardsFile, SafeguardsText + "fraud-x,fraud-error-debt,human-review,total,all,hardship,1,0,2,3\n", "safeguards.csv:5: effect 'total' is neither 'marginal' nor 'solo'" },
        { RunFolderReader.SafeguardsFile, SafeguardsText + "fraud-x,fraud-error-debt,human-review,solo,all,hardship,one,0,2,3\n", "safeguards.csv:5: 'one' is not a number" },
        { RunFolderReader.SafeguardsFile, SafeguardsText + "fraud-x,fraud-error-debt,human-review,solo,all,hardship,1,0,2\n", "safeguards.csv:5: expected 10 fields, found 9" },
        { RunFolderReader.SafeguardsFile, SafeguardsText + "other,fraud-error-debt,human-review,solo,all,hardship,1,0,2,3\n", "safeguards.csv:5: scenario 'other' is not the manifest's 'fraud-x'" },
        { RunFolderReader.SafeguardsFile, SafeguardsText + "fraud-x,fraud-error-debt,human-review,solo,rest,hardship,1,0,2,3\n", "safeguards.csv:5: a second row for safeguard 'human-review', effect 'solo', group 'rest', metric 'hardship'" },
        { RunFolderReader.SafeguardsFile, SafeguardsText + "fraud-x,fraud-error-debt,human-review,solo,all,hardship,1,0,2,-3\n", "safeguards.csv:5: replicates '-3' is out of range" },
        { RunFolderReader.PrinciplesFile, PrinciplesText + "fraud-x,,human-review\n", "principles.csv:4: the principle is empty" },
        { RunFolderReader.SensitivityFile, SensitivityText + "fraud-x,fraud-error-debt,p,hardship,1,2,1,0,0.5,\n", "sensitivity.csv:4: rank '0' is not a rank" },
        { RunFolderReader.SensitivityFile, SensitivityText + "fraud-x,fraud-error-debt,p,hardship,1,2,1,1,1.5,\n", "sensitivity.csv:4: spearman '1.5' is outside" },
        // The evidence row of line 2 spans lines 2 and 3 (a quoted line break): the next row starts on line 5.
        { RunFolderReader.EvidenceFile, EvidenceText + "fraud-x,p,1,a \"quoted\" word,assumption,\n", "evidence.csv:5: a quote inside an unquoted field" },
        { RunFolderReader.EvidenceFile, EvidenceText + "fraud-x,p,1,\"open\nnever closed,assumption,\n", "evidence.csv:5: a quoted field is not closed before the end of the file" },
        { RunFolderReader.EvidenceFile, EvidenceText + "fraud-x,p,1,\"closed\"x,assumption,\n", "evidence.csv:5: text after a closing quote" },
        { RunFolderReader.EvidenceFile, EvidenceText + "fraud-x,p,1,,assumption,first\n", "evidence.csv:5: 'first' is not a whole number" },
        { RunFolderReader.EvidenceFile, "", "evidence.csv:1: expected the header" },
    };

    [Theory, MemberData(nameof(Malformed))]
    public void A_malformed_row_is_one_line_naming_the_file_and_line(string file, string text, string expected)
    {
        string folder = Folder("bad-" + Guid.NewGuid().ToString("N"), (file, text));
        var e = Assert.Throws<RunFolderException>(() => RunFolderReader.ReadReview(folder, Scenario));
        Assert.Contains(Path.Combine(folder, file) + expected[file.Length..], e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_number_field_holding_a_quoted_line_break_is_still_a_one_line_message()
    {
        string folder = Folder("break", (RunFolderReader.SafeguardsFile, SafeguardsText + "fraud-x,fraud-error-debt,human-review,solo,all,hardship,\"1\n2\",0,2,3\n"));
        var e = Assert.Throws<RunFolderException>(() => RunFolderReader.ReadReview(folder, Scenario));
        Assert.Contains("safeguards.csv:5: '1 2' is not a number", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
