using ImpactModel.Reporting;

namespace ImpactModel.Tests.Reporting;

/// <summary>A package folder read back (<see cref="PackageData.Read"/>): what it holds, and every malformed file refused naming the file, the line and what is wrong.</summary>
public sealed class PackageDataTests(PackageRoot root) : IClassFixture<PackageRoot>
{
    [Fact]
    public void A_package_folder_reads_back_its_scenarios_groups_rows_and_contradiction()
    {
        PackageData package = PackageData.Read(PackageFiles.Write(root.Root));
        Assert.Equal(PackageFiles.Scenarios, package.Scenarios);
        Assert.Equal(PackageFiles.GroupIds, package.Groups);
        Assert.Equal("Everyone", package.GroupLabel("all"));
        Assert.Equal(PackageFiles.Groups[2].Name, package.GroupLabel(PackageFiles.Groups[2].Id));
        Assert.Equal(PackageFiles.Replicates, package.Manifest.Replicates);
        Assert.Equal("1", package.Manifest.Seed);
        PackageContradiction c = Assert.Single(package.Contradictions);
        Assert.Equal(PackageFiles.Contradiction, c.Metric);
        Assert.Equal(PackageFiles.Mean("all", PackageFiles.Contradiction), c.Persons.Mean);
        Assert.Null(package.Manifest.Scenarios[2].Benefits);

        string anyRate = PackageMetrics.AnyRate(PackageMetrics.Harmed);
        Figure any = package.Of("no-fixed-address", anyRate)!.Value;
        Assert.Equal(PackageFiles.Mean("no-fixed-address", anyRate), any.Mean); // "R" formatting round-trips exactly
        Assert.Equal(any.Mean * 0.8, any.Low);
        Assert.Null(package.Find("rest", PackageMetrics.RatioOf(anyRate)));
    }

    [Fact]
    public void An_undefined_value_is_null_never_zero_and_a_partly_defined_one_keeps_its_replicates()
    {
        PackageData package = PackageData.Read(PackageFiles.Write(root.Root));
        PackageLine undefined = package.Find(PackageFiles.Undefined.Group, PackageFiles.Undefined.Metric)!;
        Assert.Null(undefined.Mean);
        Assert.Equal(0, undefined.Replicates);
        Assert.Null(package.Of(PackageFiles.Undefined.Group, PackageFiles.Undefined.Metric));
        Assert.Equal(PackageFiles.PartReplicates, package.Find(PackageFiles.Partial.Group, PackageFiles.Partial.Metric)!.Replicates);
    }

    [Theory]
    [InlineData("harmed_by_rate.fraud-error-debt", "harmed_by_rate_ratio_vs_rest.fraud-error-debt")]
    [InlineData("harmed_by_any_rate", "harmed_by_any_rate_ratio_vs_rest")]
    [InlineData("benefited_by_pair_rate.a--b", "benefited_by_pair_rate_ratio_vs_rest.a--b")]
    public void A_rates_ratio_against_rest_is_named_before_its_qualifier(string rate, string ratio)
    {
        Assert.Equal(ratio, PackageMetrics.RatioOf(rate));
        Assert.True(PackageMetrics.IsRatio(ratio));
        Assert.Equal("ratio", PackageMetrics.Unit(ratio).Unit);
        Assert.Equal("rate", PackageMetrics.Unit(rate).Unit);
    }

    /// <summary>A line of package.csv replaced, and what the refusal must say about it (its line number found in the file).</summary>
    public static TheoryData<string, string, string> BadRows => new()
    {
        { "header", "package,group,metric,mean,ci_low,ci_high", "expected the header 'package,group,metric,mean,ci_low,ci_high,replicates'" },
        { "number", "uk-data-sharing,all,harmed_by_any_rate,0.1x,0.08,0.12,40", "'0.1x' is not a number" },
        { "nan", "uk-data-sharing,all,harmed_by_any_rate,NaN,,,40", "'NaN' is not a finite number" },
        { "fields", "uk-data-sharing,all,harmed_by_any_rate,0.1,0.08,0.12", "expected 7 fields, found 6" },
        { "package", "other-package,all,harmed_by_any_rate,0.1,0.08,0.12,40", "package 'other-package' is not the manifest's 'uk-data-sharing'" },
        { "group", "uk-data-sharing,students,harmed_by_any_rate,0.1,0.08,0.12,40", "group 'students' is not 'all', 'rest' or one of the manifest's groups" },
        { "scenario", "uk-data-sharing,all,harmed_by_rate.no-such,0.1,0.08,0.12,40", "does not name one of the package's scenarios" },
        { "exactly", "uk-data-sharing,all,harmed_by_exactly_rate.4,0.1,0.08,0.12,40", "is not for a number of scenarios from 1 to 3" },
        { "pair", "uk-data-sharing,all,harmed_by_pair_rate.tailored-services--fraud-error-debt,0.1,0.08,0.12,40", "A before B" },
        { "rest ratio", "uk-data-sharing,rest,harmed_by_any_rate_ratio_vs_rest,1,1,1,40", "a ratio against rest, which rest has not" },
        { "interval", "uk-data-sharing,all,harmed_by_any_rate,0.1,0.12,0.08,40", "ci_low 0.12 is above ci_high 0.08" },
        { "replicates", "uk-data-sharing,all,harmed_by_any_rate,0.1,0.08,0.12,41", "replicates 41 is more than the manifest's 40" },
        { "duplicate", "uk-data-sharing,all,persons,67596281,67596281,67596281,40", "a second row for group 'all', metric 'persons'" },
    };

    [Theory, MemberData(nameof(BadRows))]
    public void A_malformed_package_csv_is_refused_naming_the_file_the_line_and_what_is_wrong(string what, string bad, string message)
    {
        string folder = PackageFiles.Write(root.Root);
        string path = Path.Combine(folder, PackageData.CsvFile);
        List<string> lines = [.. File.ReadAllLines(path)];
        // The header is line 1; any other bad row replaces the row for all's harmed_by_any_rate (a duplicate follows the persons row).
        int at = what switch
        {
            "header" => 0,
            "duplicate" => lines.FindIndex(l => l.StartsWith("uk-data-sharing,all,harmed_by_any,", StringComparison.Ordinal)),
            _ => lines.FindIndex(l => l.StartsWith("uk-data-sharing,all,harmed_by_any_rate,", StringComparison.Ordinal)),
        };
        Assert.True(at >= 0, what);
        lines[at] = bad;
        File.WriteAllLines(path, lines);
        var e = Assert.Throws<RunFolderException>(() => PackageData.Read(folder));
        Assert.StartsWith($"{path}:{at + 1}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    public static TheoryData<string, string, string> BadManifests => new()
    {
        { "syntax", "\"seed\": \"1\",", "\"seed\": \"1\",," },
        { "missing", "\"engine_version\": \"0.25.0\",", "" },
        { "type", "\"replicates\": 40,", "\"replicates\": \"forty\"," },
        { "null", "\"package\": \"uk-data-sharing\",", "\"package\": null," },
    };

    [Theory, MemberData(nameof(BadManifests))]
    public void A_malformed_manifest_is_refused_naming_the_file_and_line(string what, string good, string bad)
    {
        string folder = PackageFiles.Write(root.Root);
        string path = Path.Combine(folder, PackageData.ManifestFile);
        string text = File.ReadAllText(path);
        Assert.True(text.Contains(good, StringComparison.Ordinal), $"{what}: the manifest has no '{good}'");
        File.WriteAllText(path, text.Replace(good, bad, StringComparison.Ordinal));
        var e = Assert.Throws<RunFolderException>(() => PackageData.Read(folder));
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(path)}:[0-9]+: not a package manifest: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("\"folder\": \"fraud-error-debt\"", "\"folder\": \"../elsewhere\"", "scenarios[0].folder '../elsewhere' is not an id")]
    [InlineData("\"name\": \"tailored-services\"", "\"name\": \"fraud-error-debt\"", "scenarios[1].name 'fraud-error-debt' names a second scenario")]
    [InlineData("\"id\": \"care-leavers\"", "\"id\": \"rest\"", "groups[1].id 'rest' is 'all', 'rest' or a second group")]
    [InlineData("\"exposing\": \"fraud-error-debt\"", "\"exposing\": \"nowhere\"", "contradictions[0] names a scenario the package does not list")]
    public void A_manifest_that_parses_but_names_the_wrong_things_is_refused_saying_which(string good, string bad, string message)
    {
        string folder = PackageFiles.Write(root.Root);
        string path = Path.Combine(folder, PackageData.ManifestFile);
        string text = File.ReadAllText(path);
        int first = text.IndexOf(good, StringComparison.Ordinal);
        Assert.True(first >= 0);
        File.WriteAllText(path, text[..first] + bad + text[(first + good.Length)..]);
        var e = Assert.Throws<RunFolderException>(() => PackageData.Read(folder));
        Assert.StartsWith($"{path}: not a package manifest: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_its_files_or_still_being_written_is_refused_naming_it()
    {
        string folder = PackageFiles.Write(root.Root);
        File.Delete(Path.Combine(folder, PackageData.CsvFile));
        Assert.Contains("it has no package.csv", Assert.Throws<RunFolderException>(() => PackageData.Read(folder)).Message, StringComparison.Ordinal);
        File.Delete(Path.Combine(folder, PackageData.ManifestFile));
        Assert.Contains("it has no manifest.json", Assert.Throws<RunFolderException>(() => PackageData.Read(folder)).Message, StringComparison.Ordinal);
        Assert.Contains("no such package folder", Assert.Throws<RunFolderException>(() => PackageData.Read(folder + "-missing")).Message, StringComparison.Ordinal);
        string partial = PackageFiles.Write(root.Root) + ".partial-1";
        Directory.CreateDirectory(partial);
        Assert.Contains("still being written", Assert.Throws<RunFolderException>(() => PackageData.Read(partial)).Message, StringComparison.Ordinal);
    }
}
