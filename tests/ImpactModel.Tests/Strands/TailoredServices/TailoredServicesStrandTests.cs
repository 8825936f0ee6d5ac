using ImpactModel.Linkage;
using ImpactModel.Population;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Tests.Scenarios;
using ImpactModel.Worker.Hosting;

namespace ImpactModel.Tests.Strands.TailoredServices;

/// <summary>
/// The tailored public services strand (issue 18, "Done when") on a small inline scenario whose
/// persons are simulated one for one (scale 1) and whose single numbers are held as written
/// (uncertainty 0 for every grade): the hand-checkable cases, the simulated reach against the
/// analytic expectation, identical results whatever the threads and chunking. The strand's
/// allocation check is in <c>Simulation/ChunkAllocationTests.cs</c>, with the other models'.
/// </summary>
/// <remarks>
/// The scenario: one area, three overlapping groups (bit 0 no-fixed-address, bit 1 frequent-mover,
/// bit 2 disabled), DWP benefit records (the linkage's <c>from</c> source, whose coverage the strand
/// draws) linked exactly on address and surname to VOA property records (the <c>to</c> source, whose
/// coverage is the linkage's own). Each placeholder is replaced by the test that needs it.
/// </remarks>
public sealed class TailoredServicesStrandTests
{
    private const ulong Seed = 20261202;
    private const int NoFixedAddressBit = 0, FrequentMoverBit = 1, DisabledBit = 2;

    private const string Template = """
        strand: tailored-services
        name: tailored
        price_year: 2023
        horizon_years: 5
        discount_rate: 0.035
        uncertainty: { assumption: 0, expert-judgement: 0 }
        population:
          size: {SIZE}
          area_variation: 0
        {AUTHORITIES}
          areas:
            - { id: north, share: {NORTH_SHARE} }
        {SOUTH}
          groups:
            - { id: no-fixed-address, name: No fixed address, prevalence: 0.1 }
            - { id: frequent-mover, name: Frequent movers, prevalence: 0.2 }
            - { id: disabled, name: Disabled people, prevalence: 0.15{DISABLED_GRADIENT} }
        data_sources:
          - id: benefits
            body: Department for Work and Pensions
            coverage: {BENEFITS_COVERAGE}
            fields:
              - { id: address, error_rate: {BENEFITS_ADDRESS_ERROR}, missing_rate: {BENEFITS_ADDRESS_MISSING} }
              - { id: surname, error_rate: {BENEFITS_SURNAME_ERROR} }
          - id: property
            body: Valuation Office Agency
            coverage: {PROPERTY_COVERAGE}
            fields:
              - { id: address, error_rate: {PROPERTY_ADDRESS_ERROR} }
              - { id: surname }
        linkage:
          - id: benefits-to-property
            from: benefits
            to: property
        {LINKAGE}
        tailored_services:
          service: fuel rebate
          need:
            description: household in fuel poverty
            prevalence: {PREVALENCE}
            income_gradient: {NEED_GRADIENT}
        {NEED_AREA_ODDS}
          status_quo:
            take_up: {TAKE_UP}
            cost_per_application: 25
          identification:
            sources: {SOURCES}
            linkages: [benefits-to-property]
            proxy: benefit receipt and a high modelled energy cost
            sensitivity: {SENSITIVITY}
            false_positive_rate: {FALSE_POSITIVE}
            sensitive_inference: true
          unidentifiable_groups: {UNIDENTIFIABLE}
          action:
            type: automatic-enrolment
            response: {RESPONSE}
            cost_per_contact: 3
          opt_out: {OPT_OUT}
          values:
            benefit_per_person_reached: 150
            annual_running_cost: {RUNNING_COST}
            {INTRUSION_VALUE}
        safeguards:
        {SAFEGUARDS}
        variants:
          - id: contact
            overrides:
              tailored_services.action.type: proactive-contact
        """;

    private const string ExactOnAddressAndSurname = """
            method: exact
            fields:
              - { field: address }
              - { field: surname }
        """;

    private static readonly Dictionary<string, string> Defaults = new(StringComparer.Ordinal)
    {
        ["SIZE"] = "200000",
        ["BENEFITS_COVERAGE"] = "0.6",
        ["PROPERTY_COVERAGE"] = "0.9",
        ["BENEFITS_ADDRESS_ERROR"] = "0.05",
        ["BENEFITS_ADDRESS_MISSING"] = "0.01",
        ["BENEFITS_SURNAME_ERROR"] = "0.02",
        ["PROPERTY_ADDRESS_ERROR"] = "0.02",
        ["LINKAGE"] = ExactOnAddressAndSurname,
        ["PREVALENCE"] = "0.3",
        ["TAKE_UP"] = "0.4",
        ["SENSITIVITY"] = "0.8",
        ["FALSE_POSITIVE"] = "0.1",
        ["RESPONSE"] = "0.9",
        ["OPT_OUT"] = "0",
        ["UNIDENTIFIABLE"] = "[]",
        ["RUNNING_COST"] = "10000",
        ["SAFEGUARDS"] = "  []",
        ["INTRUSION_VALUE"] = "",
        ["NORTH_SHARE"] = "1",
        ["SOUTH"] = "",
        ["DISABLED_GRADIENT"] = "",
        ["NEED_GRADIENT"] = "0",
        ["NEED_AREA_ODDS"] = "",
        ["SOURCES"] = "[benefits, property]",
        ["AUTHORITIES"] = "",
    };

    private static readonly string[] Rows = ["all", "no-fixed-address", "frequent-mover", "disabled", "rest"];

    private static Scenario Load(params (string Key, string Value)[] changes)
    {
        var values = new Dictionary<string, string>(Defaults, StringComparer.Ordinal);
        foreach ((string key, string value) in changes)
        {
            Assert.True(values.ContainsKey(key), $"no placeholder {key}");
            values[key] = value;
        }

        string text = values.Aggregate(Template, (t, kv) => t.Replace("{" + kv.Key + "}", kv.Value, StringComparison.Ordinal));
        ScenarioLoadResult result = ScenarioLoader.Load("s/tailored.yaml", new MemoryFiles().With("s/tailored.yaml", text));
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Scenario!;
    }

    private static RunResult Run(Scenario s, int replicates = 1, int threads = 0, int chunk = PersonChunk.DefaultCapacity) =>
        SimulationRunner.Run(s, new RunSettings(Seed, replicates, s.Population.Size, threads, chunk), BuiltInStrands.Registry);

    /// <summary>Replicate 0 of every series of a run, read once.</summary>
    private sealed class Values(RunResult run)
    {
        private readonly Dictionary<(string, string, string), double?> _values =
            run.Series.ToDictionary(x => (x.Variant, x.Group, x.Metric), x => x.Values[0]);

        public RunResult Run { get; } = run;

        public IEnumerable<string> Variants => Run.Variants.Select(v => v.Id);

        public bool Has(string variant, string metric, string group = "all") => _values.ContainsKey((variant, group, metric));

        public double this[string variant, string metric, string group = "all"] =>
            _values.TryGetValue((variant, group, metric), out double? v)
                ? v ?? throw new InvalidOperationException($"{variant}/{group}/{metric} is undefined")
                : throw new KeyNotFoundException($"no series {variant}/{group}/{metric}");
    }

    /// <summary>|observed − expected| ≤ 4σ, with the numbers in the message when it is not.</summary>
    private static void Within4Sigma(double observed, double expected, double sigma, string what) =>
        Assert.True(Math.Abs(observed - expected) <= 4 * sigma,
            $"{what}: observed {observed}, expected {expected:F1}, 4σ = {4 * sigma:F1} (off by {(observed - expected) / sigma:F2}σ)");

    [Fact]
    public void Full_coverage_perfect_linkage_and_a_perfect_proxy_reach_every_eligible_person_and_contact_no_ineligible_one()
    {
        // Every source covers everyone; the only linkage field is error-free and never missing in
        // either source, so exact linkage links everyone to their own record; sensitivity 1, false
        // positives 0, everyone enrolled responds, no one opts out.
        const string Clean = """
                method: exact
                fields:
                  - { field: address }
            """;
        Scenario s = Load(("SIZE", "50000"), ("BENEFITS_COVERAGE", "1"), ("PROPERTY_COVERAGE", "1"),
            ("BENEFITS_ADDRESS_ERROR", "0"), ("BENEFITS_ADDRESS_MISSING", "0"), ("PROPERTY_ADDRESS_ERROR", "0"), ("LINKAGE", Clean),
            ("SENSITIVITY", "1"), ("FALSE_POSITIVE", "0"), ("RESPONSE", "1"), ("OPT_OUT", "0"),
            ("TAKE_UP", "{ base: 0.5, by_group: { disabled: 0.3 } }"));
        var v = new Values(Run(s));

        foreach (string row in Rows)
        {
            double eligible = v["proposal", "eligible", row];
            Assert.True(eligible > 100, $"{row}: only {eligible} eligible");
            Assert.Equal(eligible, v["proposal", "eligible_reached", row]);
            Assert.Equal(0, v["proposal", "eligible_missed", row]);
            Assert.Equal(0, v["proposal", "exclusion_rate", row]);
            Assert.Equal(0, v["proposal", "missed_not_in_data", row]);
            Assert.Equal(eligible, v["proposal", "contacted", row]);
            Assert.Equal(0, v["proposal", "ineligible_contacted", row]);
            Assert.Equal(0, v["proposal", "intrusion_rate", row]);
            Assert.Equal(1, v["proposal", "best_achievable_recall", row]);
            // Those who would not have applied are the additional take-up; the status quo misses them.
            double applied = v["status-quo", "eligible_reached", row];
            Assert.True(applied < eligible, $"{row}: everyone applies by themselves, so the test shows nothing");
            Assert.Equal(eligible - applied, v["proposal", "additional_take_up", row]);
        }
    }

    [Theory]
    [InlineData("BENEFITS_COVERAGE", "0.6")]   // the from source: coverage drawn by the strand
    [InlineData("PROPERTY_COVERAGE", "0.9")]   // the to source: coverage is the linkage's own
    public void A_group_with_no_record_in_a_required_source_gains_nothing_in_any_variant_and_is_reported_not_identifiable(string source, string rest)
    {
        // No outreach channel (it would reach the group whatever the data): every other safeguard.
        const string Safeguards = """
              - { id: opt-out, type: opt-out, opt_out_rate: 0.1 }
              - { id: consent, type: consent, consent_rate: 0.8 }
              - { id: minimisation, type: data-minimisation, reduction: 0.8, sensitivity_loss: 0.1 }
              - { id: exclude, type: sensitive-category-exclusion, groups: [disabled] }
              - { id: audit, type: sanctions-and-audit, annual_cost: 2000 }
            """;
        Scenario s = Load((source, $"{{ base: {rest}, by_group: {{ no-fixed-address: 0 }} }}"),
            ("TAKE_UP", "{ base: 0.4, by_group: { no-fixed-address: 0 } }"), ("UNIDENTIFIABLE", "[no-fixed-address]"), ("SAFEGUARDS", Safeguards));
        var v = new Values(Run(s));

        string[] variants = [.. v.Variants];
        Assert.Equal(2 + 2 * 5 + 1 + 1, variants.Length); // status quo, proposal, without and only each of 5 safeguards, none, and the declared contact variant
        foreach (string variant in variants)
        {
            Assert.Equal(0, v[variant, "additional_take_up", "no-fixed-address"]);
            Assert.Equal(0, v[variant, "eligible_reached", "no-fixed-address"]);
            if (variant == "status-quo")
            {
                Assert.False(v.Has(variant, "missed_not_in_data", "no-fixed-address"), "the status quo links nothing");
                continue;
            }

            // Take-up 0 and no record: every eligible member is missed, and missed because not in the data.
            double eligible = v[variant, "eligible", "no-fixed-address"];
            Assert.True(eligible > 1000, $"only {eligible} eligible");
            Assert.Equal(eligible, v[variant, "missed_not_in_data", "no-fixed-address"]);
        }

        Assert.Equal(0, v["proposal", "best_achievable_recall", "no-fixed-address"]);
        Assert.True(v["proposal-no-safeguards", "additional_take_up", "rest"] > 0, "the rule reaches no one at all, so the test shows nothing");
        Assert.Contains(v.Run.Warnings, w => w.StartsWith(
            "group 'no-fixed-address' (No fixed address) is not identifiable from the data in this scenario", StringComparison.Ordinal));
        // Declared unidentifiable and found so: no disagreement to report, and no other group is reported.
        Assert.Single(v.Run.Warnings, w => w.Contains("no-fixed-address", StringComparison.Ordinal));
        Assert.DoesNotContain(v.Run.Warnings, w => w.Contains("frequent-mover", StringComparison.Ordinal) || w.Contains("'disabled'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_declared_unidentifiable_group_that_the_rule_identifies_and_an_undeclared_one_it_cannot_are_both_warned_about()
    {
        Scenario s = Load(("SIZE", "50000"), ("PROPERTY_COVERAGE", "{ base: 0.9, by_group: { no-fixed-address: 0 } }"), ("UNIDENTIFIABLE", "[disabled]"));
        RunResult r = Run(s);

        Assert.Contains(r.Warnings, w => w.StartsWith("tailored_services.unidentifiable_groups lists 'disabled', but the rule reaches ", StringComparison.Ordinal));
        Assert.Contains(r.Warnings, w => w.StartsWith(
            "group 'no-fixed-address' (No fixed address) is not identifiable from the data in this scenario", StringComparison.Ordinal));
        Assert.Contains(r.Warnings, w => w.StartsWith(
            "group 'no-fixed-address' is not identifiable here, but tailored_services.unidentifiable_groups does not list it", StringComparison.Ordinal));
        Assert.DoesNotContain(r.Warnings, w => w.StartsWith("group 'disabled'", StringComparison.Ordinal));
    }

    /// <summary>
    /// proposal-only-opt-out and proposal-no-safeguards see the same words; the safeguard removes,
    /// before matching, each person whose own opt-out word falls below r, a word nothing else reads.
    /// So, given the X persons reached through the data (and the Z intrusions) without it, the number
    /// kept with it is Binomial(X, 1 − r) exactly, with standard deviation √(X r (1 − r)). Take-up is
    /// 0, so additional take-up is reach through the data. Tolerance 4σ: a correct build fails each
    /// check about once in 16,000 seeds; the seed is fixed.
    /// </summary>
    [Fact, Trait("Category", "Statistical")]
    public void Opt_out_at_rate_r_lowers_reach_through_the_data_and_intrusion_by_the_fraction_r()
    {
        const double R = 0.3;
        const string Safeguards = """
              - { id: opt-out, type: opt-out, opt_out_rate: 0.3 }
              - { id: audit, type: sanctions-and-audit, annual_cost: 2000 }
            """;
        var v = new Values(Run(Load(("TAKE_UP", "0"), ("SAFEGUARDS", Safeguards))));
        const string None = "proposal-no-safeguards", Only = "proposal-only-opt-out";

        double x = v[None, "additional_take_up"], y = v[Only, "additional_take_up"];
        Assert.True(x > 1000, $"only {x} reached without the safeguard");
        Within4Sigma(y, (1 - R) * x, Math.Sqrt(x * R * (1 - R)), "reached through the data with opt-out");

        double Intrusions(string variant) => Math.Round(v[variant, "intrusion_rate"] * (v[variant, "persons"] - v[variant, "eligible"]));
        double z = Intrusions(None), w = Intrusions(Only);
        Assert.True(z > 1000, $"only {z} intrusions without the safeguard");
        // Sensitive inference and no minimisation: every ineligible person contacted is an intrusion.
        Assert.Equal(v[None, "ineligible_contacted"], z);
        Within4Sigma(w, (1 - R) * z, Math.Sqrt(z * R * (1 - R)), "intrusions with opt-out");
    }

    /// <summary>
    /// proposal-only-outreach and proposal-no-safeguards see the same words; the channel reaches each
    /// eligible member of the listed group not reached otherwise whose own outreach word falls below q,
    /// a word nothing else reads. So, given the M missed without it, the number it reaches is
    /// Binomial(M, q) exactly, standard deviation √(M q (1 − q)); 4σ fails a correct build about once
    /// in 16,000 seeds (the seed is fixed). The rest is exact: each person reached is one fewer
    /// missed, costs the declared GBP 40, and no one outside the listed group is reached by it.
    /// </summary>
    [Fact, Trait("Category", "Statistical")]
    public void An_outreach_channel_with_reach_q_gives_the_named_group_q_of_its_missed_eligible()
    {
        const double Q = 0.4;
        const string Safeguards = """
              - { id: outreach, type: outreach-channel, groups: [no-fixed-address], reach_rate: 0.4, cost_per_case: 40 }
              - { id: audit, type: sanctions-and-audit, annual_cost: 2000 }
            """;
        var v = new Values(Run(Load(("PROPERTY_COVERAGE", "{ base: 0.9, by_group: { no-fixed-address: 0.2 } }"), ("SAFEGUARDS", Safeguards))));
        const string None = "proposal-no-safeguards", Only = "proposal-only-outreach", Group = "no-fixed-address";

        double missed = v[None, "eligible_missed", Group], reached = v[Only, "reached_by_outreach", Group];
        Assert.True(missed > 1000, $"only {missed} missed without the channel");
        Assert.Equal(0, v[None, "reached_by_outreach", Group]);
        Within4Sigma(reached, Q * missed, Math.Sqrt(missed * Q * (1 - Q)), "reached by outreach");
        Assert.Equal(missed - reached, v[Only, "eligible_missed", Group]);
        Assert.Equal(v[None, "eligible_reached", Group] + reached, v[Only, "eligible_reached", Group]);
        Assert.Equal(40 * reached, v[Only, "outreach_cost", Group], 6);
        Assert.Equal(0, v[Only, "reached_by_outreach", "rest"]);
        Assert.Equal(v[None, "eligible_reached", "rest"], v[Only, "eligible_reached", "rest"]);
    }

    [Fact]
    public void Sensitive_category_exclusion_gives_the_excluded_group_no_intrusion_and_no_reach_through_the_data()
    {
        const string Safeguards = """
              - { id: exclude, type: sensitive-category-exclusion, groups: [disabled] }
              - { id: audit, type: sanctions-and-audit, annual_cost: 2000 }
            """;
        // Take-up 0 and no outreach: whatever the group gains, it gains through the data.
        var v = new Values(Run(Load(("TAKE_UP", "0"), ("SAFEGUARDS", Safeguards))));
        const string None = "proposal-no-safeguards";

        // Without the safeguard the rule reaches and intrudes on the group, so the test can fail.
        Assert.True(v[None, "intrusion_rate", "disabled"] > 0);
        Assert.True(v[None, "additional_take_up", "disabled"] > 0);
        foreach (string variant in new[] { "proposal", "proposal-only-exclude" })
        {
            Assert.Equal(0, v[variant, "intrusion_rate", "disabled"]);
            Assert.Equal(0, v[variant, "ineligible_contacted", "disabled"]);
            Assert.Equal(0, v[variant, "contacted", "disabled"]);
            Assert.Equal(0, v[variant, "additional_take_up", "disabled"]);
            Assert.Equal(0, v[variant, "eligible_reached", "disabled"]);
            Assert.Equal(0, v[variant, "data_recall", "disabled"]);
            // No one outside the group is touched: the same persons, the same words, the same outcomes.
            Assert.Equal(v[None, "additional_take_up", "rest"], v[variant, "additional_take_up", "rest"]);
            Assert.Equal(v[None, "intrusion_rate", "rest"], v[variant, "intrusion_rate", "rest"]);
        }
    }

    /// <summary>
    /// Take-up 0, no safeguards: an eligible person is reached exactly when they have a benefit
    /// record, a property record, the exact linkage links their own records, the proxy flags them and
    /// they respond. Each by-group value is given to one group only, so for a group mask the
    /// probability is prevalence × coverage(from) × [coverage(to) × link recall, from
    /// <see cref="LinkageCalculator"/>] × sensitivity × response, the person's outcomes are
    /// independent given the mask, and, given the realised number of persons N(m) with each mask m
    /// (generated here from the same seed and replicate), a row's reach is a sum of independent
    /// Bernoulli trials with mean Σ N(m) p(m) and variance Σ N(m) p(m)(1 − p(m)), exactly. Tolerance
    /// 4σ for each of the five rows: a correct build fails about once in 3,000 seeds; the seed is fixed.
    /// </summary>
    [Fact, Trait("Category", "Statistical")]
    public void Simulated_reach_of_each_group_is_within_4_standard_errors_of_coverage_times_link_recall_times_sensitivity_times_response()
    {
        const int Persons = 1_000_000;
        Scenario s = Load(("SIZE", "1000000"), ("TAKE_UP", "0"),
            ("PREVALENCE", "{ base: 0.25, by_group: { disabled: 0.4 } }"),
            ("BENEFITS_COVERAGE", "{ base: 0.5, by_group: { disabled: 0.7 } }"),
            ("PROPERTY_COVERAGE", "{ base: 0.9, by_group: { no-fixed-address: 0.4 } }"),
            ("BENEFITS_ADDRESS_ERROR", "{ base: 0.02, by_group: { frequent-mover: 0.3 } }"),
            ("BENEFITS_ADDRESS_MISSING", "{ base: 0.01, by_group: { no-fixed-address: 0.5 } }"),
            ("SENSITIVITY", "{ base: 0.8, by_group: { frequent-mover: 0.6 } }"),
            ("RESPONSE", "{ base: 0.9, by_group: { disabled: 0.7 } }"));
        var v = new Values(Run(s));

        string[] groups = [.. s.Population.Groups.Select(g => g.Id)];
        Assert.Equal(new[] { "no-fixed-address", "frequent-mover", "disabled" }, groups);
        CompiledLinkage linkage = CompiledLinkage.Compile(s, s.Linkages[0], groups, Seed, 0);
        long[] persons = MaskCounts(s, Persons);
        Assert.Equal(Persons, persons.Sum());

        static double Of(uint mask, int bit, double value, double otherwise) => (mask & (1u << bit)) != 0 ? value : otherwise;
        var p = new double[persons.Length];
        for (uint m = 0; m < p.Length; m++)
        {
            LinkageExpectation e = LinkageCalculator.Expect(linkage, m);
            double toCoverage = Of(m, NoFixedAddressBit, 0.4, 0.9);
            Assert.Equal(toCoverage, e.HasRecord, 9);
            p[m] = Of(m, DisabledBit, 0.4, 0.25)                // need
                   * Of(m, DisabledBit, 0.7, 0.5)               // a benefit record
                   * e.HasRecord * e.Recall!.Value              // a property record, linked to one's own
                   * Of(m, FrequentMoverBit, 0.6, 0.8)          // flagged
                   * Of(m, DisabledBit, 0.7, 0.9);              // responds
        }

        foreach (string row in Rows)
        {
            double mean = 0, variance = 0;
            for (uint m = 0; m < p.Length; m++)
            {
                bool inRow = row switch
                {
                    "all" => true,
                    "rest" => m == 0,
                    _ => (m & (1u << Array.IndexOf(groups, row))) != 0,
                };
                if (!inRow)
                    continue;
                mean += persons[m] * p[m];
                variance += persons[m] * p[m] * (1 - p[m]);
            }

            double reached = v["proposal", "eligible_reached", row];
            Assert.Equal(reached, v["proposal", "additional_take_up", row]);
            Assert.True(mean > 1000, $"{row}: expected reach {mean} is too small to test");
            Within4Sigma(reached, mean, Math.Sqrt(variance), $"{row} reached");
        }
    }

    /// <summary>Persons of replicate 0 by group mask, generated as the runner generates them.</summary>
    private static long[] MaskCounts(Scenario s, int persons)
    {
        CompiledPopulation population = CompiledPopulation.Compile(s.Population, Seed, 0);
        var counts = new long[1 << population.GroupIds.Count];
        var chunk = new PersonChunk(4096);
        for (long first = 0; first < persons; first += chunk.Capacity)
        {
            int n = (int)Math.Min(chunk.Capacity, persons - first);
            population.Generate(chunk, first, n, PersonAttributes.None);
            foreach (uint mask in chunk.Groups)
                counts[mask]++;
        }

        return counts;
    }

    [Fact]
    public void Results_are_identical_for_one_and_two_threads_and_two_chunk_sizes()
    {
        // Probabilistic linkage with candidates and clerical review (false matches take someone
        // else's answer), every safeguard, and drawn distributions over two replicates.
        const string Probabilistic = """
                method: probabilistic
                fields:
                  - { field: address, m: 0.95, u: 0.01, chance_agreement: 0.02 }
                  - { field: surname, m: 0.9, u: 0.05, chance_agreement: { base: 0.05, by_group: { frequent-mover: 0.2 } } }
                upper_threshold: 6
                lower_threshold: 3
                clerical_review: { accuracy: 0.9, cost_per_pair: 4 }
                candidates_per_block: { base: 2, by_group: { no-fixed-address: 5 } }
            """;
        const string Safeguards = """
              - { id: opt-out, type: opt-out, opt_out_rate: "beta(2, 98)" }
              - { id: consent, type: consent, consent_rate: 0.9, enabled: false }
              - { id: minimisation, type: data-minimisation, reduction: 0.8, sensitivity_loss: 0.1 }
              - { id: exclude, type: sensitive-category-exclusion, groups: [disabled] }
              - { id: outreach, type: outreach-channel, groups: [no-fixed-address], reach_rate: "uniform(0.2, 0.4)", cost_per_case: 40 }
              - { id: audit, type: sanctions-and-audit, annual_cost: 2000 }
            """;
        Scenario s = Load(("SIZE", "60000"), ("LINKAGE", Probabilistic), ("SAFEGUARDS", Safeguards),
            ("OPT_OUT", "{ base: 0.05, by_group: { disabled: 0.1 } }"), ("RUNNING_COST", "\"lognormal(10000, 2000)\""),
            ("PROPERTY_COVERAGE", "{ base: 0.9, by_group: { no-fixed-address: 0.2 } }"));
        RunResult one = Run(s, replicates: 2, threads: 1, chunk: 4096);
        List<MetricSeries> expected = [.. one.Series];
        Assert.Contains(expected, x => x.Metric == "link_false_match_rate" && x.Values.All(y => y > 0));
        Assert.Contains(expected, x => x.Metric == "reached_by_outreach" && x.Values.All(y => y > 0));
        Assert.Contains(expected, x => x.Metric == "net_benefit" && x.Values[0] != x.Values[1]);
        foreach ((int threads, int chunk) in new[] { (2, 4096), (1, 777), (2, 777) })
        {
            RunResult other = Run(s, replicates: 2, threads: threads, chunk: chunk);
            List<MetricSeries> actual = [.. other.Series];
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.Equal((expected[i].Variant, expected[i].Group, expected[i].Metric), (actual[i].Variant, actual[i].Group, actual[i].Metric));
                Assert.True(Bits(expected[i]).SequenceEqual(Bits(actual[i])),
                    $"{threads} threads, chunk {chunk}: {actual[i].Variant}/{actual[i].Group}/{actual[i].Metric} differs");
            }

            Assert.Equal(one.Warnings.ToArray(), other.Warnings.ToArray());
        }

        // The skip of persons no variant can affect is exact: without it, the same bits.
        try
        {
            ImpactModel.Strands.TailoredServices.TailoredEvaluator.FastPaths = false;
            List<MetricSeries> slow = [.. Run(s, replicates: 2, threads: 2, chunk: 777).Series];
            for (int i = 0; i < expected.Count; i++)
                Assert.True(Bits(expected[i]).SequenceEqual(Bits(slow[i])), $"without the fast path: {slow[i].Variant}/{slow[i].Group}/{slow[i].Metric} differs");
        }
        finally
        {
            ImpactModel.Strands.TailoredServices.TailoredEvaluator.FastPaths = true;
        }
    }

    /// <summary>Each replicate's value as its 64 bits (null where undefined): equal bits, byte-identical results.</summary>
    private static IEnumerable<long?> Bits(MetricSeries series) =>
        series.Values.Select(x => x is { } d ? BitConverter.DoubleToInt64Bits(d) : (long?)null);

    /// <summary>The shipped scenario, read from the repository (for the allocation check).</summary>
    internal static Scenario ShippedScenario() =>
        ScenarioLoader.LoadScenario(Path.Combine(Fraud.FraudStrandTests.RepositoryRoot(), "scenarios", "tailored-services.yaml"), DiskScenarioFiles.Instance);

    [Fact]
    public void Opt_out_of_the_action_belongs_to_automatic_enrolment_and_proactive_contact_has_none()
    {
        // Everyone contacted under enrolment opts out with 0.3; under proactive contact a person who
        // does not want the service simply does not respond (the same response word in both).
        Values r = new(Run(Load(("OPT_OUT", "0.3"))));
        Assert.True(r["proposal", "opted_out"] > 1000);
        Assert.Equal(0, r["contact", "opted_out"]);
        Assert.Equal(r["proposal", "contacted"], r["contact", "contacted"]);
        // Enrolment loses the opted-out; contact keeps them: at least as many reached by data.
        Assert.True(r["contact", "reached_by_data"] > r["proposal", "reached_by_data"]);
    }

    [Fact]
    public void Intrusion_is_valued_in_money_only_with_a_source_and_never_in_the_net_benefit()
    {
        Values plain = new(Run(Load()));
        Assert.False(plain.Has("proposal", "intrusion_value"));
        Values valued = new(Run(Load(("INTRUSION_VALUE", "intrusion_valuation: { value: 20, source: \"test valuation\" }"))));
        // Present value over 5 years at 3.5% of GBP 20 per intrusion a year; net benefit unchanged.
        double annuity = ImpactModel.Valuation.PresentValue.AnnuityFactor(5, 0.035);
        double intrusions = IneligibleIntrusions(valued);
        Assert.Equal(annuity * intrusions * 20, valued["proposal", "intrusion_value"], 0.01 * intrusions);
        Assert.Equal(plain["proposal", "net_benefit"], valued["proposal", "net_benefit"]);
    }

    /// <summary>Intrusions = intrusion rate × ineligible persons (not in need = all − eligible).</summary>
    private static double IneligibleIntrusions(Values r) =>
        r["proposal", "intrusion_rate"] * (r["proposal", "persons"] - r["proposal", "eligible"]);

    [Fact, Trait("Category", "Statistical")]
    public void Need_keeps_each_group_combinations_declared_prevalence_though_membership_depends_on_income_and_area()
    {
        // Disabled people are poorer (income gradient −1.2 on membership) and need rises as income
        // falls (−0.6) and in the south (odds ratio 3, 40% of persons): a disabled person's need
        // solved over everyone's spread would come out well above the declared 0.25; solved over
        // disabled people's own spread it holds. Persons in one group only and in none are checked.
        Scenario s = Load(("SIZE", "300000"), ("NORTH_SHARE", "0.6"), ("SOUTH", "    - { id: south, share: 0.4 }"),
            ("DISABLED_GRADIENT", ", income_gradient: -1.2, area_odds_ratios: { south: 2 }"), ("NEED_GRADIENT", "-0.6"),
            ("NEED_AREA_ODDS", "    area_odds_ratios: { south: 3 }"),
            ("PREVALENCE", "{ base: 0.1, by_group: { disabled: 0.25, no-fixed-address: 0.25, frequent-mover: 0.25 } }"));
        var population = ImpactModel.Population.CompiledPopulation.Compile(s.Population, Seed, 0);
        var chunk = new PersonChunk(PersonChunk.DefaultCapacity);
        RunResult run = Run(s);
        // Persons in exactly one group or none, and those of them in need, counted again from the same persons.
        var persons = new long[8];
        for (long first = 0; first < s.Population.Size; first += chunk.Capacity)
        {
            int count = (int)Math.Min(chunk.Capacity, s.Population.Size - first);
            population.Generate(chunk, first, count, ImpactModel.Population.PersonAttributes.None);
            for (int i = 0; i < count; i++)
                persons[chunk.Groups[i]]++;
        }

        // The rest row is mask 0 exactly: its need share against 0.1, 4σ of a binomial proportion.
        var v = new Values(run);
        double rest = v["status-quo", "eligible", "rest"] / persons[0];
        Within4Sigma(rest * persons[0], 0.1 * persons[0], Math.Sqrt(persons[0] * 0.1 * 0.9), "need among persons in no group");
        // Disabled-only persons (mask 4) are most of the disabled row; with the combination rule the row's
        // expected need is Σ over its masks of N(mask) × p(mask), p from odds of 0.25 combined per group.
        static double Odds(double p) => p / (1 - p);
        static double Combined(int mask)
        {
            double odds = Odds(0.1);
            for (int g = 0; g < 3; g++)
                odds *= (mask & (1 << g)) != 0 ? Odds(0.25) / Odds(0.1) : 1;
            return odds / (1 + odds);
        }

        double expected = 0, variance = 0;
        for (int mask = 4; mask < 8; mask++)
        {
            double p = Combined(mask);
            expected += persons[mask] * p;
            variance += persons[mask] * p * (1 - p);
        }

        Within4Sigma(v["status-quo", "eligible", "disabled"], expected, Math.Sqrt(variance), "need among disabled people");
    }

    [Fact]
    public void A_rule_linkage_whose_ends_the_rule_does_not_read_is_refused()
    {
        string text = Template;
        foreach ((string key, string value) in Defaults)
            text = text.Replace("{" + key + "}", key == "SOURCES" ? "[benefits]" : value, StringComparison.Ordinal);
        ScenarioLoadResult result = ScenarioLoader.Load("s/t.yaml", new MemoryFiles().With("s/t.yaml", text));
        ScenarioError e = Assert.Single(result.Errors);
        Assert.Contains("tailored_services.identification.linkages[0]: linkage 'benefits-to-property' links 'benefits' to 'property', but the rule does not read 'property'",
            e.ToString(), StringComparison.Ordinal);
    }

    [Fact, Trait("Category", "Statistical")]
    public void Local_authority_effects_on_need_have_the_logit_normal_spread_and_keep_the_declared_prevalence()
    {
        // 200 equal authorities in one area, no groups' own values, no income gradient: a replicate's
        // need by authority is expit(c + e(u)), e ~ N(0, 0.4²). Over 40 replicates its ICC averages to
        // the logit-normal model's (AreaClustering.LogitNormalIcc, checked against R), and within each the
        // intercept keeps the declared 0.1 over the authorities (up to the calibration sample's noise).
        var csv = new System.Text.StringBuilder("# 200 equal authorities\ncode,name,region,population\n");
        for (int i = 0; i < 200; i++)
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"A{i:D3},Authority {i},north,1000\n");
        var values = new Dictionary<string, string>(Defaults, StringComparer.Ordinal)
        {
            ["AUTHORITIES"] = "  local_authorities: { file: las.csv, source: test, grade: assumption }",
            ["NEED_AREA_ODDS"] = "    local_authority_variation: 0.4",
        };
        string text = values.Aggregate(Template, (t, kv) => t.Replace("{" + kv.Key + "}", kv.Value, StringComparison.Ordinal));
        ScenarioLoadResult loaded = ScenarioLoader.Load("s/tailored.yaml", new MemoryFiles().With("s/tailored.yaml", text).With("s/las.csv", csv.ToString()));
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        Scenario s = loaded.Scenario!;
        var variants = VariantBuilder.Build(s);
        int[] rule = [ImpactModel.StrandKit.VariantLinkages.IndexOf(s, "benefits-to-property")];
        double model = ImpactModel.Population.AreaClustering.LogitNormalIcc(0.3, 0.4); // the fixture's need prevalence is 0.3
        var icc = new double[40];
        for (int r = 0; r < icc.Length; r++)
        {
            var population = ImpactModel.Population.CompiledPopulation.Compile(s.Population, Seed, r);
            var context = new ReplicateContext(s, variants, population, Seed, r, s.Population.Size);
            var replicate = ImpactModel.Strands.TailoredServices.TailoredReplicate.Compile(s, rule, context);
            Assert.Equal(200, replicate.Need.Units);
            double[] need = [.. Enumerable.Range(0, 200).Select(u => replicate.Need.NeedCut[u * 10] / 4294967296.0)];
            icc[r] = ImpactModel.Population.AreaClustering.IccOf(need, population.AuthorityShares);
            // The marginal over the authorities' shares: persons in no group (mask 0, whose cut this
            // is) are calibrated on those of the first 100,000 persons, about 100,000 × 0.9 × 0.8 × 0.85
            // = 61,200 (the fixture's three independent groups), so the weights err by a multinomial
            // amount: sd √(Var_u(need) / 61,200); 4 of them.
            double marginal = need.Select((q, u) => q * population.AuthorityShares[u]).Sum();
            double spread = Math.Sqrt(need.Select((q, u) => population.AuthorityShares[u] * (q - marginal) * (q - marginal)).Sum() / 61_200);
            Assert.True(Math.Abs(marginal - 0.3) <= 4 * spread + 1e-12, $"replicate {r}: marginal {marginal}, 4σ {4 * spread}");
        }

        double mean = icc.Average(), sd = Math.Sqrt(icc.Sum(x => (x - mean) * (x - mean)) / (icc.Length - 1));
        Assert.True(Math.Abs(mean - model) <= 4 * sd / Math.Sqrt(icc.Length), $"mean replicate ICC {mean} vs model {model} (sd {sd})");
    }

    [Fact]
    public void Local_authority_effects_on_need_without_authorities_are_refused_where_written()
    {
        var values = new Dictionary<string, string>(Defaults, StringComparer.Ordinal) { ["NEED_AREA_ODDS"] = "    local_authority_variation: 0.4" };
        string text = values.Aggregate(Template, (t, kv) => t.Replace("{" + kv.Key + "}", kv.Value, StringComparison.Ordinal));
        ScenarioError e = Assert.Single(ScenarioLoader.Load("s/t.yaml", new MemoryFiles().With("s/t.yaml", text)).Errors);
        Assert.Equal($"{ScenarioFixture.At("s/t.yaml", text, "0.4\n")}: tailored_services.need.local_authority_variation: " +
                     "local-authority effects need the population's 'local_authorities:' declared", e.ToString());
    }
}
