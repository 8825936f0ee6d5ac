using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Reading;

/// <summary>Reads the <c>fraud:</c> section of a fraud, error and debt scenario.</summary>
public static class FraudReader
{
    private static readonly string[] Keys =
        ["benefit", "claimants", "true_states", "status_quo", "matching", "actions", "responses", "hardship", "recovery"];
    private static readonly string[] RecoveryKeys = ["rate", "timing", "timing_source"];

    /// <summary>The most years a recovery may be spread over.</summary>
    public const int MaxRecoveryYears = 50;
    private static readonly string[] ClaimantKeys = ["records", "share", "income_gradient", "monthly_award"];
    private static readonly string[] StateKeys = ["id", "prevalence", "annual_overpayment"];
    private static readonly string[] StatusQuoKeys = ["checks"];
    private static readonly string[] CheckKeys = ["id", "description", "detection_rate", "false_referral_rate", "cost_per_case"];
    private static readonly string[] MatchingKeys =
        ["linkage", "comparison", "flag_threshold", "earners_share", "monthly_earnings", "earnings_variation", "undeclared_share"];
    private static readonly string[] ActionKeys =
        ["letter_cost", "suspension_share", "suspension_cost", "debt_cost", "investigation_cost"];
    private static readonly string[] ResponseKeys =
        ["respond_to_letter", "appeal", "appeal_success_when_wrong", "appeal_cost", "days_to_resolution"];
    private static readonly string[] HardshipKeys = ["share_of_wrongful_actions", "valuation"];

    /// <summary>The error states; "correct" is whatever share of claims remains.</summary>
    public static readonly IReadOnlyList<string> States = ["claimant-error", "official-error", "fraud"];

    public static readonly IReadOnlyList<string> Comparisons = ["annual-average", "period-matched"];

    public static FraudSpec? Read(NodeReader r, YamlNode node, string path,
        ImmutableArray<DataSourceSpec> sources, ImmutableArray<LinkageSpec> linkages)
    {
        YamlMapping? map = r.Mapping(node, path, Keys);
        if (map is null)
            return null;
        string J(string key) => NodeReader.Join(path, key);

        string? benefit = r.Text(r.Required(map, path, "benefit"), J("benefit"));

        string cp = J("claimants");
        YamlMapping? claimantsMap = r.Mapping(r.Required(map, path, "claimants"), cp, ClaimantKeys);
        string? records = r.Id(r.Required(claimantsMap, cp, "records"), NodeReader.Join(cp, "records"), "data source id");
        var sourceIds = r.DeclaredIds("data source").ToArray();
        if (records is not null && !sourceIds.Contains(records))
        {
            r.Error(claimantsMap!["records"]!, NodeReader.Join(cp, "records"), Suggest.Unknown("data source", records, sourceIds));
            records = null;
        }

        GroupValues? share = r.RequiredByGroup(claimantsMap, cp, "share", ParameterKind.Probability);
        Parameter gradient = r.OptionalParameter(claimantsMap, cp, "income_gradient", ParameterKind.Real, 0);
        Parameter? award = r.RequiredParameter(claimantsMap, cp, "monthly_award", ParameterKind.Money);

        string sp = J("true_states");
        YamlNode? statesNode = r.Required(map, path, "true_states");
        ImmutableArray<TrueStateSpec> states = r.List(statesNode, sp, (item, p) =>
        {
            YamlMapping? m = r.Mapping(item, p, StateKeys);
            string? id = r.Choice(r.Required(m, p, "id"), NodeReader.Join(p, "id"), States, "true state");
            GroupValues? prevalence = r.RequiredByGroup(m, p, "prevalence", ParameterKind.Probability);
            Parameter? overpayment = r.RequiredParameter(m, p, "annual_overpayment", ParameterKind.Money);
            return id is null || prevalence is null || overpayment is null || m is null
                ? null
                : new TrueStateSpec(id, prevalence, overpayment, m.Position);
        });
        r.Unique(states, s => s.Id, s => s.Position, sp, "true state");
        if (statesNode is not null)
            CheckStateTotals(r, states, statesNode, sp);

        string qp = J("status_quo");
        YamlMapping? sqMap = r.Mapping(r.Required(map, path, "status_quo"), qp, StatusQuoKeys);
        string checksPath = NodeReader.Join(qp, "checks");
        ImmutableArray<CheckSpec> checks = r.List(NodeReader.Optional(sqMap, "checks"), checksPath, (item, p) =>
        {
            YamlMapping? m = r.Mapping(item, p, CheckKeys);
            string? id = r.Id(r.Required(m, p, "id"), NodeReader.Join(p, "id"), "check id");
            string? description = r.Text(NodeReader.Optional(m, "description"), NodeReader.Join(p, "description"));
            GroupValues? detection = r.RequiredByGroup(m, p, "detection_rate", ParameterKind.Probability);
            GroupValues falseReferral = r.OptionalByGroup(m, p, "false_referral_rate", ParameterKind.Probability, 0);
            Parameter? cost = r.RequiredParameter(m, p, "cost_per_case", ParameterKind.Money);
            return id is null || detection is null || cost is null || m is null
                ? null
                : new CheckSpec(id, description, detection, falseReferral, cost, m.Position);
        });
        r.Unique(checks, c => c.Id, c => c.Position, checksPath, "check");

        MatchingSpec? matching = Matching(r, r.Required(map, path, "matching"), J("matching"), linkages, records);

        string ap = J("actions");
        YamlMapping? actionsMap = r.Mapping(r.Required(map, path, "actions"), ap, ActionKeys);
        Parameter? letter = r.RequiredParameter(actionsMap, ap, "letter_cost", ParameterKind.Money);
        Parameter? suspensionShare = r.RequiredParameter(actionsMap, ap, "suspension_share", ParameterKind.Probability);
        Parameter? suspensionCost = r.RequiredParameter(actionsMap, ap, "suspension_cost", ParameterKind.Money);
        Parameter? debtCost = r.RequiredParameter(actionsMap, ap, "debt_cost", ParameterKind.Money);
        Parameter? investigation = r.RequiredParameter(actionsMap, ap, "investigation_cost", ParameterKind.Money);

        string rp = J("responses");
        YamlMapping? responsesMap = r.Mapping(r.Required(map, path, "responses"), rp, ResponseKeys);
        GroupValues? respond = r.RequiredByGroup(responsesMap, rp, "respond_to_letter", ParameterKind.Probability);
        GroupValues? appeal = r.RequiredByGroup(responsesMap, rp, "appeal", ParameterKind.Probability);
        Parameter? appealSuccess = r.RequiredParameter(responsesMap, rp, "appeal_success_when_wrong", ParameterKind.Probability);
        Parameter? appealCost = r.RequiredParameter(responsesMap, rp, "appeal_cost", ParameterKind.Money);
        Parameter days = r.OptionalParameter(responsesMap, rp, "days_to_resolution", ParameterKind.NonNegative, 0);

        string hp = J("hardship");
        YamlMapping? hardshipMap = r.Mapping(r.Required(map, path, "hardship"), hp, HardshipKeys);
        GroupValues? hardshipShare = r.RequiredByGroup(hardshipMap, hp, "share_of_wrongful_actions", ParameterKind.Probability);
        Parameter? valuation = NodeReader.Optional(hardshipMap, "valuation") is { } v
            ? r.Parameter(v, NodeReader.Join(hp, "valuation"), ParameterKind.Money)
            : null;
        if (valuation is not null && string.IsNullOrWhiteSpace(valuation.Evidence.Source))
        {
            r.Error(valuation.Position, valuation.Path,
                "a money value for hardship needs a source ({ value: ..., source: ..., grade: ... }); without one, hardship stays a count");
        }

        RecoverySpec? recovery = NodeReader.Optional(map, "recovery") is { } recoveryNode ? Recovery(r, recoveryNode, J("recovery")) : RecoverySpec.InFull;

        if (benefit is null || records is null || share is null || award is null || matching is null || recovery is null
            || letter is null || suspensionShare is null || suspensionCost is null || debtCost is null || investigation is null
            || respond is null || appeal is null || appealSuccess is null || appealCost is null || hardshipShare is null)
            return null;

        return new FraudSpec(benefit, new ClaimantsSpec(records, share, gradient, award), states, checks, matching,
            new ActionsSpec(letter, suspensionShare, suspensionCost, debtCost, investigation),
            new ResponsesSpec(respond, appeal, appealSuccess, appealCost, days),
            new HardshipSpec(hardshipShare, valuation), map.Position) { Recovery = recovery };
    }

    /// <summary><c>recovery: { rate: ..., timing: [shares by year], timing_source: ... }</c>; the shares add to 1.</summary>
    private static RecoverySpec? Recovery(NodeReader r, YamlNode node, string path)
    {
        YamlMapping? map = r.Mapping(node, path, RecoveryKeys);
        if (map is null)
            return null;
        Parameter? rate = r.RequiredParameter(map, path, "rate", ParameterKind.Probability);
        string tp = NodeReader.Join(path, "timing");
        string? timingSource = NodeReader.Optional(map, "timing_source") is { } ts ? r.Text(ts, NodeReader.Join(path, "timing_source")) : null;
        ImmutableArray<double> timing = [1];
        if (NodeReader.Optional(map, "timing") is { } timingNode)
        {
            if (timingNode is not YamlSequence seq || seq.Items.Count == 0 || seq.Items.Count > MaxRecoveryYears)
            {
                r.Error(timingNode, tp, $"expected a list of 1 to {MaxRecoveryYears} shares, one per year from the year a debt is raised, e.g. [0.5, 0.3, 0.2]");
                return null;
            }

            var shares = ImmutableArray.CreateBuilder<double>(seq.Items.Count);
            bool ok = true;
            for (int i = 0; i < seq.Items.Count; i++)
            {
                if (seq.Items[i] is YamlScalar { IsNull: false } s
                    && double.TryParse(s.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v)
                    && v >= 0 && v <= 1)
                {
                    shares.Add(v);
                }
                else
                {
                    r.Error(seq.Items[i], $"{tp}[{i}]", "expected a share in [0, 1] of the recovered amount received in this year");
                    ok = false;
                }
            }

            if (!ok)
                return null;
            timing = shares.MoveToImmutable();
            if (Math.Abs(timing.Sum() - 1) > 1e-6)
            {
                r.Error(timingNode, tp, $"the shares add up to {timing.Sum().ToString("0.######", System.Globalization.CultureInfo.InvariantCulture)}, not 1: they split what is recovered between the years");
                return null;
            }
        }

        return rate is null ? null : new RecoverySpec(rate, timing, timingSource);
    }

    private static MatchingSpec? Matching(NodeReader r, YamlNode? node, string path, ImmutableArray<LinkageSpec> linkages, string? records)
    {
        YamlMapping? map = r.Mapping(node, path, MatchingKeys);
        if (map is null)
            return null;
        string lp = NodeReader.Join(path, "linkage");
        string? linkage = r.Id(r.Required(map, path, "linkage"), lp, "linkage id");
        var linkageIds = r.DeclaredIds("linkage").ToArray();
        if (linkage is not null && !linkageIds.Contains(linkage))
        {
            r.Error(map["linkage"]!, lp, Suggest.Unknown("linkage", linkage, linkageIds));
            linkage = null;
        }
        else if (linkage is not null && records is not null && linkages.Any(l => l.Id == linkage)
                 && linkages.First(l => l.Id == linkage).From != records)
        {
            r.Error(map["linkage"]!, lp,
                $"linkage '{linkage}' links from '{linkages.First(l => l.Id == linkage).From}', but claims are held in '{records}' (fraud.claimants.records)");
        }

        // A variant may switch the matching to another linkage of the same records to the same
        // source (e.g. one that does without the NINo), so the harm of weaker matching shows in one run.
        if (linkage is not null && linkages.FirstOrDefault(l => l.Id == linkage) is { } declared)
            r.Setting(lp, [.. linkages.Where(l => l.From == declared.From && l.To == declared.To).Select(l => l.Id)], map["linkage"]);

        string cp = NodeReader.Join(path, "comparison");
        YamlNode? comparisonNode = r.Required(map, path, "comparison");
        string? comparison = r.Choice(comparisonNode, cp, Comparisons, "comparison");
        r.Setting(cp, Comparisons, comparisonNode);

        Parameter? threshold = r.RequiredParameter(map, path, "flag_threshold", ParameterKind.Money, ParameterTraits.Chosen);
        GroupValues? earners = r.RequiredByGroup(map, path, "earners_share", ParameterKind.Probability);
        Parameter? earnings = r.RequiredParameter(map, path, "monthly_earnings", ParameterKind.Money);
        GroupValues variation = r.OptionalByGroup(map, path, "earnings_variation", ParameterKind.NonNegative, 0);
        Parameter? undeclared = r.RequiredParameter(map, path, "undeclared_share", ParameterKind.Probability);
        if (linkage is null || comparison is null || threshold is null || earners is null || earnings is null || undeclared is null)
            return null;
        return new MatchingSpec(linkage,
            comparison == "annual-average" ? EarningsComparison.AnnualAverage : EarningsComparison.PeriodMatched,
            threshold, earners, earnings, variation, undeclared, map.Position);
    }

    /// <summary>The error states' prevalences cannot add up to more than every claim, for the base and for each group.</summary>
    private static void CheckStateTotals(NodeReader r, ImmutableArray<TrueStateSpec> states, YamlNode at, string path)
    {
        if (states.IsDefaultOrEmpty)
            return;
        var groups = states.SelectMany(s => s.Prevalence.ByGroup.Select(g => g.Group)).Distinct().ToList();
        double baseTotal = states.Sum(s => s.Prevalence.Base.Mean);
        if (baseTotal > 1 + 1e-12)
            r.Error(at, path, $"the error states' prevalences add up to {baseTotal:0.####} of claims, more than 1");
        foreach (string g in groups)
        {
            double total = states.Sum(s => s.Prevalence.For(g).Mean);
            if (total > 1 + 1e-12)
                r.Error(at, path, $"for group '{g}' the error states' prevalences add up to {total:0.####} of claims, more than 1");
        }
    }
}
