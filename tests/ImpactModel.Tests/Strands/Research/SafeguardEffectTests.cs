using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using static ImpactModel.Tests.Strands.Research.ResearchFixture;

namespace ImpactModel.Tests.Strands.Research;

/// <summary>What single safeguards do to the risk: exact relations, replicate by replicate.</summary>
[Collection(ResearchSerial.Name)]
public sealed class SafeguardEffectTests
{
    [Fact]
    public void A_trusted_research_environment_with_access_reduction_a_cuts_expected_reidentifications_by_exactly_a()
    {
        // The shipped scenario's TRE draws a ~ beta(18, 2) per replicate. It changes no class, so both variants read
        // the same risk table: expected re-identifications are attempts × success × Σ attack risk / released,
        // times (1 − a) with the TRE alone. Each is kept in fixed point of 2^-40 (rounded: error ≤ 2^-41), so
        // |x_tre − (1 − a) x_none| ≤ 2^-41 + (1 − a) 2^-41 ≤ 2^-40, plus the double product's own rounding (≤ 1e-15 x).
        const int Replicates = 3;
        Scenario s = Declare(Shipped(), 20_000);
        RunResult r = Run(s, seed: 20240905, replicates: Replicates);
        double[] a = [.. r.Parameters.Where(p => p.Parameter == "safeguards.tre.access_reduction").OrderBy(p => p.Replicate).Select(p => p.Value)];
        Assert.Equal(Replicates, a.Length);
        Assert.True(a.Distinct().Count() == Replicates, "a is drawn anew each replicate");
        foreach (string metric in new[] { "expected_reidentifications", "expected_reidentifications_over_horizon" })
        {
            foreach (string group in new[] { "all", "disabled", "no-fixed-address", "rest" })
            {
                for (int k = 0; k < Replicates; k++)
                {
                    double none = Value(r, VariantBuilder.NoSafeguards, group, metric, k), tre = Value(r, VariantBuilder.OnlyPrefix + "tre", group, metric, k);
                    Assert.True(none > 1e-6, $"{group}: {none} expected re-identifications without safeguards");
                    double tolerance = Math.Pow(2, -40) + 1e-15 * none;
                    Assert.True(Math.Abs(tre - (1 - a[k]) * none) <= tolerance,
                        Invariant($"{metric}/{group}/replicate {k}: {tre:R} with the TRE, {(1 - a[k]) * none:R} = (1 − {a[k]:R}) × {none:R} expected"));
                }
            }
        }
    }

    /// <summary>
    /// 20,000 persons, 5% of them carers. Carers all live in a shelter and nobody else does (the
    /// shelter's 1% share is below the carers' 5%: the rest's share is clamped to 0), and every carer
    /// and nobody else receives carer's allowance. Released on the place alone: the shelter's class is
    /// the carers, all holding the allowance, so each carer's record discloses it (one disclosure per
    /// record × attribute); nobody's benefit receipt (half of everyone) is disclosed.
    /// </summary>
    internal const string ShelterPopulation = """
        population:
          size: 20000
          uncertainty: { assumption: 0, expert-judgement: 0 }
          areas:
            - { id: north, share: 1 }
          groups:
            - { id: carer, prevalence: 0.05 }
          attributes:
            - id: place
              categories:
                - { id: home, share: 0.99 }
                - { id: shelter, share: 0.01 }
              by_group:
                carer: { shelter: 1 }
        """;

    internal const string Shelter = """
        strand: research-statistics
        name: shelter
        price_year: 2023
        horizon_years: 5
        uncertainty: { assumption: 0, expert-judgement: 0 }
        population: pop.yaml
        research:
          extract: { sample_fraction: 1 }
          quasi_identifiers:
            - { id: place, levels: { type: 2 }, released: type }
          sensitive_attributes:
            - { id: carers-allowance, prevalence: { base: 0, by_group: { carer: 1 } } }
            - { id: benefit-receipt, prevalence: 0.5 }
          release:
            form: record-level-tre
          attack:
            attacker: an insider
            attempts_per_year: 20
            knows: [place]
            success_if_unique: 0.9
          questions:
            - { id: allowance, attribute: carers-allowance }
        safeguards:
          - { id: check, type: output-checking, catch_rate: 1, enabled: false }
        variants:
          - id: tables
            overrides:
              research.release.form: public-tables
          - id: tables-checked
            overrides:
              research.release.form: public-tables
              safeguards.check.enabled: true
        """;

    [Fact]
    public void A_class_whose_members_all_hold_an_attribute_discloses_it_for_each_record_and_checked_tables_disclose_nothing()
    {
        RunResult r = Run(Load(Shelter, ShelterPopulation), seed: 20240906);
        double carers = Value(r, VariantBuilder.Proposal, "carer", "records_in_extract");
        Assert.InRange(carers, 500, 1500); // 5% of 20,000
        foreach (string variant in new[] { VariantBuilder.Proposal, "tables" })
        {
            Assert.Equal(carers, Value(r, variant, "all", "attribute_disclosures"));
            Assert.Equal(carers, Value(r, variant, "carer", "attribute_disclosures"));
            Assert.Equal(0, Value(r, variant, "rest", "attribute_disclosures"));
        }

        foreach (string group in new[] { "all", "carer", "rest" })
            Assert.Equal(0, Value(r, "tables-checked", group, "attribute_disclosures"));
    }
}
