using System.Globalization;
using System.Text.Json;
using ImpactModel.Simulation;
using ImpactModel.Worker.Commands;
using ImpactModel.Worker.Output;
using static ImpactModel.Tests.Simulation.SimulationTestScenarios;

namespace ImpactModel.Tests.Output;

/// <summary>The JSON contract of the host's outputs (PRODUCT.md, "Interfaces"): keys, nulls, encoding.</summary>
public class OutputJsonTests
{
    /// <summary>The manifest keys PRODUCT.md lists, in its order.</summary>
    private static readonly string[] ProductManifestKeys =
    [
        "scenario", "strand", "scenario_sha256", "seed", "replicates", "population", "declared_population",
        "engine_version", "threads", "interval", "started_utc", "elapsed_seconds", "variants", "warnings",
    ];

    /// <summary>
    /// Every key of manifest.json, in file order: PRODUCT.md's list with more that readers use
    /// (sampling_fraction and scale_factor are documented in docs/metrics.md; the engine's commit, the
    /// kept scenario and the command line, to repeat the run; chunk_size; groups; metrics, each
    /// metric's unit in words).
    /// </summary>
    private static readonly string[] ManifestKeys =
    [
        "scenario", "strand", "scenario_sha256", "seed", "replicates", "population", "declared_population",
        "sampling_fraction", "scale_factor", "engine_version", "engine_commit", "inputs_scenario", "command_line", "threads", "chunk_size", "interval", "started_utc",
        "elapsed_seconds", "basis", "uncertainty", "groups", "variants", "metrics", "warnings",
    ];

    private static string[] Keys(JsonElement o) => [.. o.EnumerateObject().Select(p => p.Name)];

    private static RunInfo Info => new(new string('a', 64), "9.9.9", 2, new DateTime(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc), 1.23456,
        new MoneyBasis(2014, 5, 0.035));

    [Fact]
    public void The_manifest_has_the_contract_keys_in_snake_case_and_in_order()
    {
        RunResult r = Run(Fixture(), 5, 2, 2_000);
        string text = RunFolder.Manifest(r, Info);
        using JsonDocument doc = JsonDocument.Parse(text);
        JsonElement root = doc.RootElement;

        Assert.Equal(ManifestKeys, Keys(root));
        Assert.Equal(ProductManifestKeys, Keys(root).Where(ProductManifestKeys.Contains));
        Assert.Equal(["id", "kind", "description", "links_data", "safeguards_on", "changes"], Keys(root.GetProperty("variants")[0]));
        Assert.Equal(["name", "unit", "denominator", "harm", "headline"], Keys(root.GetProperty("metrics")[0]));
        Assert.Equal("5", root.GetProperty("seed").GetString()); // text: a 64-bit seed does not fit a double
        Assert.Equal("2026-01-02T03:04:05.678Z", root.GetProperty("started_utc").GetString());
        Assert.Equal(1.235, root.GetProperty("elapsed_seconds").GetDouble());
        Assert.Equal("status-quo", root.GetProperty("variants")[0].GetProperty("kind").GetString());
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        Assert.StartsWith("{\n  \"scenario\": ", text.ReplaceLineEndings("\n"), StringComparison.Ordinal); // two-space indentation
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_non_finite_number_is_null_never_NaN(double value)
    {
        var figure = new ShareFigure("north", null, 0.5, 0.5, 0.5, value, value, 0, 0);
        using JsonDocument doc = JsonDocument.Parse(JsonSerializer.Serialize(figure, OutputJson.Default.ShareFigure));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("standard_error").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("z").ValueKind);
        Assert.Equal(0.5, doc.RootElement.GetProperty("realised_share").GetDouble());

        // The same through a nullable number, and with the relaxed encoder.
        var headline = new HeadlineFigure("proposal", "all", "persons", value, null, 1.5, 1, value, 12, "persons");
        using JsonDocument h = JsonDocument.Parse(JsonSerializer.Serialize(headline, OutputJson.Relaxed.HeadlineFigure));
        Assert.Equal(["variant", "group", "metric", "mean", "ci_low", "ci_high", "replicates", "mc_se", "events", "unit"], Keys(h.RootElement));
        Assert.Equal(JsonValueKind.Null, h.RootElement.GetProperty("mc_se").ValueKind);
        Assert.Equal(JsonValueKind.Null, h.RootElement.GetProperty("mean").ValueKind);
        Assert.Equal(JsonValueKind.Null, h.RootElement.GetProperty("ci_low").ValueKind);
        Assert.Equal(1.5, h.RootElement.GetProperty("ci_high").GetDouble());
    }

    [Fact]
    public void Numbers_are_written_in_shortest_round_trip_form()
    {
        var figure = new ShareFigure("north", "North", 0.1, 1.0 / 3, 7.451564828614009E-05, 1e21, -0.0, long.MaxValue, 3);
        string json = JsonSerializer.Serialize(figure, OutputJson.Default.ShareFigure);
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Contains("\"declared_share\": 0.1,", json, StringComparison.Ordinal);
        Assert.Equal(1.0 / 3, doc.RootElement.GetProperty("drawn_share").GetDouble());
        Assert.Equal(7.451564828614009E-05, doc.RootElement.GetProperty("realised_share").GetDouble());
        Assert.Equal(long.MaxValue, doc.RootElement.GetProperty("count").GetInt64());
        // Large and negative-zero values keep their exact form ("R" would write 1E+21 and -0 the same way).
        Assert.Contains("\"standard_error\": 1E+21,", json, StringComparison.Ordinal);
        Assert.Contains("\"z\": -0,", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_and_power_escape_non_ascii_and_the_run_folder_keeps_text_as_written()
    {
        // Both were published this way and are compared byte for byte, so the choice is pinned.
        const string Label = "Aged 75+ <café> & 'quoted'";
        var figure = new ShareFigure("aged", Label, 0, 0, 0, 0, 0, 0, 0);
        string escaped = JsonSerializer.Serialize(figure, OutputJson.Default.ShareFigure);
        string relaxed = JsonSerializer.Serialize(figure, OutputJson.Relaxed.ShareFigure);
        Assert.Contains("\"label\": \"Aged 75\\u002B \\u003Ccaf\\u00E9\\u003E \\u0026 \\u0027quoted\\u0027\"", escaped, StringComparison.Ordinal);
        Assert.Contains($"\"label\": \"{Label}\"", relaxed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_linkage_group_writes_its_metrics_as_keys_after_name_and_processed()
    {
        var group = new LinkageGroupReport("all", 10);
        group.Rates.Add("link_recall", new LinkageRateReport(0.9, 0.01, null, 10));
        group.Rates.Add("link_review_rate", new LinkageRateReport(double.NaN, null, 0.1, 10));
        var report = new LinkageReport("claims-to-earnings", "claims", "earnings", 10, [group]);
        var population = new PopulationReport("s", null, "1", 0, 10, 10, 0, [], [], [], [], [], [], [], [report]);
        using JsonDocument doc = JsonDocument.Parse(JsonSerializer.Serialize(population, OutputJson.Default.PopulationReport));
        JsonElement row = doc.RootElement.GetProperty("linkage")[0].GetProperty("groups")[0];
        Assert.Equal(["name", "processed", "link_recall", "link_review_rate"], Keys(row));
        Assert.Equal(["simulated", "standard_error", "expected", "denominator"], Keys(row.GetProperty("link_recall")));
        Assert.Equal(JsonValueKind.Null, row.GetProperty("link_review_rate").GetProperty("simulated").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("strand").ValueKind);
    }

    [Fact]
    public void A_power_report_keeps_its_field_order_and_ends_with_warnings()
    {
        string json = new PowerReport()
            .Add("design", "Design", "tolerance")
            .Add("n", "People", 12L)
            .Add("sides", "Sides", 1)
            .Add("power", "Power", 0.8)
            .Add("mde", "Smallest detectable", null)
            .Warn("few people")
            .ToJson();
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Equal(["design", "n", "sides", "power", "mde", "warnings"], Keys(doc.RootElement));
        Assert.Equal(12, doc.RootElement.GetProperty("n").GetInt64());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("mde").ValueKind);
        Assert.Equal("few people", doc.RootElement.GetProperty("warnings")[0].GetString());
        Assert.Throws<InvalidOperationException>(() => new PowerReport().Add("power", "Power", double.NaN));
        Assert.Throws<InvalidOperationException>(() => new PowerReport().Add("when", "When", DateTime.UnixEpoch));
    }

    [Fact]
    public void Csv_cells_are_invariant_round_trip_and_empty_when_undefined()
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var csv = new CsvWriter(text);
        csv.Header(["a", "b", "c", "d", "e", "f", "g"]);
        csv.Number(0.1).Number(7.451564828614009E-05).Number(null).Number(double.NaN).Number(double.NegativeInfinity).Count(-3)
            .Text("x, \"y\"").EndRow();
        csv.Text(null).Number(-0.0).Number(1.0 / 3).Number(1e21).Count(long.MaxValue).Text("plain").Text("two\nlines").EndRow();
        Assert.Equal(
            "a,b,c,d,e,f,g\n" +
            "0.1,7.451564828614009E-05,,,,-3,\"x, \"\"y\"\"\"\n" +
            ",-0,0.3333333333333333,1E+21,9223372036854775807,plain,\"two\nlines\"\n",
            text.ToString());
    }
}
