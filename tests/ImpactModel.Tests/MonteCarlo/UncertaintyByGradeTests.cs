using ImpactModel.MonteCarlo;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Tests.Scenarios;

namespace ImpactModel.Tests.MonteCarlo;

/// <summary>
/// Single numbers spread by their evidence grade (docs/scenario-format.md, "Uncertainty by grade"):
/// an amount by the lognormal factor exp(σz − σ²/2), a probability on the log-odds scale, a real
/// number by σ|x|z; the base and every group's value of a by-group parameter by the same z; nothing
/// for a value held <c>fixed: true</c>, a design choice, a published statistic or a survey estimate.
/// </summary>
public sealed class UncertaintyByGradeTests
{
    private const int Replicates = 4000;

    private static Scenario Load(string scenario)
    {
        ScenarioLoadResult result = ScenarioFixture.Load(scenario);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Scenario!;
    }

    /// <summary>The fixture with its own spreads (it holds values as written) and some values regraded.</summary>
    private static Scenario Graded(string uncertainty = "{ assumption: 0.3, expert-judgement: 0.15 }")
    {
        string text = ScenarioFixture.Replace(ScenarioFixture.Scenario, "uncertainty: { assumption: 0, expert-judgement: 0 }", $"uncertainty: {uncertainty}");
        text = ScenarioFixture.Replace(text, "letter_cost: 5", "letter_cost: { value: 5, grade: assumption }");
        text = ScenarioFixture.Replace(text, "debt_cost: 60", "debt_cost: { value: 60, grade: assumption, fixed: true, reason: \"set by contract\" }");
        text = ScenarioFixture.Replace(text, "suspension_share: 0.3", "suspension_share: { value: 0.3, grade: expert-judgement }");
        text = ScenarioFixture.Replace(text, "appeal_cost: 250", "appeal_cost: { value: 250, grade: published-statistic }");
        return Load(text);
    }

    private static Parameter Find(Scenario s, string path) => ScenarioParameters.All(s).Single(p => p.Path == path);

    private static double[] Draws(Parameter p, Func<double, double> transform) =>
        [.. Enumerable.Range(0, Replicates).Select(r => transform(ParameterSampler.Draw(p, 17, r)))];

    private static (double Mean, double Sd) Moments(double[] x)
    {
        double mean = x.Average();
        return (mean, Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1)));
    }

    /// <summary>
    /// The sample sd of n normal values has standard error σ/√(2(n − 1)) and the mean σ/√n: both held
    /// to 4 of them (a correct build fails about once in 16,000 runs of each).
    /// </summary>
    private static void NormalWith(double[] z, double mean, double sd)
    {
        (double m, double s) = Moments(z);
        Assert.InRange(m, mean - 4 * sd / Math.Sqrt(z.Length), mean + 4 * sd / Math.Sqrt(z.Length));
        double se = sd / Math.Sqrt(2.0 * (z.Length - 1));
        Assert.InRange(s, sd - 4 * se, sd + 4 * se);
    }

    [Fact, Trait("Category", "Statistical")]
    public void An_assumed_amount_varies_by_a_lognormal_factor_with_the_documented_spread_and_its_mean_kept()
    {
        Parameter letter = Find(Graded(), "fraud.actions.letter_cost");
        Assert.Equal(0.3, letter.Spread);
        // ln(x / 5) is normal with mean −σ²/2 and sd σ, so E[x] = 5.
        NormalWith(Draws(letter, x => Math.Log(x / 5)), -0.045, 0.3);
    }

    [Fact, Trait("Category", "Statistical")]
    public void An_expert_judged_probability_varies_on_the_log_odds_scale_with_the_documented_spread()
    {
        Parameter share = Find(Graded(), "fraud.actions.suspension_share");
        Assert.Equal(0.15, share.Spread);
        NormalWith(Draws(share, p => Math.Log(p / (1 - p))), Math.Log(0.3 / 0.7), 0.15);
    }

    [Fact]
    public void A_value_held_fixed_a_published_statistic_and_a_design_choice_do_not_vary()
    {
        Scenario s = Graded();
        foreach (string path in new[] { "fraud.actions.debt_cost", "fraud.responses.appeal_cost", "fraud.matching.flag_threshold" })
        {
            Parameter p = Find(s, path);
            Assert.Equal(0, p.Spread);
            Assert.False(p.IsUncertain, path);
            Assert.Single(Draws(p, x => x).Distinct());
        }

        Assert.Equal("set by contract", Find(s, "fraud.actions.debt_cost").FixedReason);
        Assert.True(Find(s, "fraud.matching.flag_threshold").IsChoice);
    }

    [Fact]
    public void A_by_group_parameters_base_and_groups_move_together_keeping_their_odds_ratios()
    {
        string text = ScenarioFixture.Replace(ScenarioFixture.Scenario, "uncertainty: { assumption: 0, expert-judgement: 0 }", "uncertainty: { assumption: 0.5 }");
        Scenario s = Load(text);
        GroupValues respond = s.Fraud!.Responses.RespondToLetter;
        Assert.NotEmpty(respond.ByGroup);
        static double Odds(double p) => p / (1 - p);
        double declared = Odds(respond.ByGroup[0].Value.Mean) / Odds(respond.Base.Mean);
        var bases = new HashSet<double>();
        for (int r = 0; r < 50; r++)
        {
            double b = ParameterSampler.Draw(respond.Base, 5, r), g = ParameterSampler.Draw(respond.ByGroup[0].Value, 5, r);
            bases.Add(b);
            Assert.Equal(declared, Odds(g) / Odds(b), 9);
        }

        Assert.Equal(50, bases.Count);
        Assert.Equal(0.15, s.Uncertainty.ExpertJudgement); // a grade left out keeps the engine's default
    }

    [Fact]
    public void Spreads_of_zero_hold_every_single_number_as_written()
    {
        Scenario s = Graded("{ assumption: 0, expert-judgement: 0 }");
        Assert.All(ScenarioParameters.All(s).Where(p => p.Value.IsFixed), p => Assert.Equal(0, p.Spread));
    }

    [Fact]
    public void Fixed_needs_a_reason_and_a_reason_needs_fixed()
    {
        string noReason = ScenarioFixture.Replace(ScenarioFixture.Scenario, "letter_cost: 5", "letter_cost: { value: 5, fixed: true }");
        ScenarioError e = Assert.Single(ScenarioFixture.Load(noReason).Errors);
        Assert.Equal($"{ScenarioFixture.At(ScenarioFixture.ScenarioPath, noReason, "fixed: true")}: fraud.actions.letter_cost.fixed: " +
                     "'fixed: true' needs a 'reason:' saying why this value is not uncertain", e.ToString());

        string noFixed = ScenarioFixture.Replace(ScenarioFixture.Scenario, "letter_cost: 5", "letter_cost: { value: 5, reason: \"known\" }");
        e = Assert.Single(ScenarioFixture.Load(noFixed).Errors);
        Assert.Equal($"{ScenarioFixture.At(ScenarioFixture.ScenarioPath, noFixed, "reason:")}: fraud.actions.letter_cost.reason: " +
                     "'reason:' explains 'fixed: true', which is not set here", e.ToString());
    }

    [Fact]
    public void A_spread_outside_0_to_3_is_refused_where_it_is_written()
    {
        string text = ScenarioFixture.Replace(ScenarioFixture.Scenario, "uncertainty: { assumption: 0, expert-judgement: 0 }", "uncertainty: { assumption: 5 }");
        ScenarioError e = Assert.Single(ScenarioFixture.Load(text).Errors);
        Assert.Equal($"{ScenarioFixture.At(ScenarioFixture.ScenarioPath, text, "5 }")}: uncertainty.assumption: " +
                     "expected a spread (σ) from 0 to 3, e.g. 0.3; 0 holds values of this grade as written", e.ToString());
    }

    [Fact]
    public void Parameters_csv_lists_what_is_drawn_per_replicate_and_the_manifest_what_each_person_draws()
    {
        Scenario s = Graded();
        RunResult r = SimulationRunner.Run(s, new RunSettings(3, 3, 20_000), BuiltInStrands.Registry);
        string[] listed = [.. r.ParameterKeys.Select(k => k.Parameter)];
        // The fixture's claimant-error overpayment is a lognormal each claimant draws from; its fraud overpayment is one number for everyone.
        Assert.DoesNotContain("fraud.true_states.claimant-error.annual_overpayment", listed);
        Assert.Contains("fraud.actions.letter_cost", listed);
        UncertaintySummary u = r.Uncertainty!;
        Assert.Contains(u.PerPerson, p => p.Parameter == "fraud.true_states.claimant-error.annual_overpayment");
        Assert.Equal(listed.Length, u.PerReplicate);
        Assert.Equal(u.Declared + u.SpreadByGrade, u.Uncertain);
        Assert.Equal(u.PerReplicate, u.Uncertain + u.FixedByEvidence + u.Choices + u.Certain + u.HeldFixed.Length);
        Assert.Contains(u.HeldFixed, h => h.Parameter == "fraud.actions.debt_cost" && h.Reason == "set by contract");
        // What varies in parameters.csv is exactly what the summary counts as uncertain.
        int varying = r.Parameters.GroupBy(d => d.Parameter).Count(g => g.Select(d => d.Value).Distinct().Count() > 1);
        Assert.Equal(u.Uncertain, varying);
    }

    [Fact]
    public void A_variants_single_number_override_of_a_spread_value_keeps_its_spread_and_draw()
    {
        string text = ScenarioFixture.Replace(ScenarioFixture.Scenario, "uncertainty: { assumption: 0, expert-judgement: 0 }", "uncertainty: { assumption: 0.3 }");
        text = ScenarioFixture.Replace(text, "safeguards.human-review.catch_rate: 0.9", "safeguards.human-review.catch_rate: 0.9\n      fraud.actions.letter_cost: 10");
        Scenario s = Load(text);
        SimulationVariant strict = VariantBuilder.Build(s).Single(v => v.Id == "strict");
        Parameter letter = s.Fraud!.Actions.LetterCost;
        Assert.Equal(0.3, letter.Spread);
        for (int r = 0; r < 20; r++)
        {
            // Only the centre moves: 10 instead of 5, on the same lognormal factor.
            Assert.Equal(2 * ParameterSampler.Draw(letter, 9, r), ParameterSampler.Draw(strict.Resolve(letter), 9, r), 12);
        }
    }

    [Fact]
    public void A_variants_override_marked_fixed_is_held_as_written()
    {
        string text = ScenarioFixture.Replace(ScenarioFixture.Scenario, "uncertainty: { assumption: 0, expert-judgement: 0 }", "uncertainty: { assumption: 0.3 }");
        text = ScenarioFixture.Replace(text, "safeguards.human-review.catch_rate: 0.9",
            "safeguards.human-review.catch_rate: 0.9\n      fraud.actions.letter_cost: { value: 10, fixed: true, reason: \"set by contract\" }");
        Scenario s = Load(text);
        Parameter resolved = VariantBuilder.Build(s).Single(v => v.Id == "strict").Resolve(s.Fraud!.Actions.LetterCost);
        Assert.All(Enumerable.Range(0, 20), r => Assert.Equal(10, ParameterSampler.Draw(resolved, 9, r)));
    }

    [Fact]
    public void A_spread_mean_count_whose_groups_combine_past_the_engines_limit_is_held_at_it_and_the_run_completes()
    {
        // Declared, a person in both groups has 400 × (500/400)² = 625 candidates, inside the limit of
        // 700 that the loader checks; spread by grade (σ 3), the drawn combination goes far beyond it.
        string text = ScenarioFixture.Replace(ScenarioFixture.Scenario, "uncertainty: { assumption: 0, expert-judgement: 0 }", "uncertainty: { assumption: 3 }");
        text = ScenarioFixture.Replace(text, "candidates_per_block: 2",
            "candidates_per_block: { base: 400, by_group: { no-fixed-address: 500, frequent-mover: 500 }, grade: assumption }");
        Scenario s = Load(text);
        RunResult r = SimulationRunner.Run(s, new RunSettings(5, 12, 2_000), BuiltInStrands.Registry);
        Assert.Equal(12, r.Values.Replicates);
    }
}
