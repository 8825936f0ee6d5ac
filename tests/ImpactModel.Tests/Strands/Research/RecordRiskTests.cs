using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands.Research;
using static ImpactModel.Tests.Strands.Research.ResearchFixture;

namespace ImpactModel.Tests.Strands.Research;

/// <summary>
/// Properties every record's risk must have, checked person by person with
/// <see cref="ResearchReplicate.RecordValues"/> on <see cref="ResearchFixture.Detail"/>: 60,000 persons
/// of the shipped population over 131,404 cells (most classes small, many unique). No statistics:
/// each is an inequality that holds for every person, exactly, in fixed point.
/// </summary>
[Collection(ResearchSerial.Name)]
public sealed class RecordRiskTests
{
    private const int Persons = 60_000;
    private const int One = (int)ResearchCounters.Fixed;

    /// <summary>Pairs (coarser, finer) of variants without suppression: the coarser's classes are unions of the finer's (five-year bands of years, regions of authorities, one accommodation value of two).</summary>
    private static readonly (string Coarse, string Fine)[] Coarsenings =
    [
        ("proposal-only-coarse-age", VariantBuilder.NoSafeguards),
        ("proposal-only-coarse-place", VariantBuilder.NoSafeguards),
        ("proposal-without-suppress", "proposal-only-coarse-age"),
        ("proposal-without-suppress", "proposal-only-coarse-place"),
    ];

    [Fact]
    public void Generalisation_never_raises_any_records_prosecutor_risk()
    {
        Driven d = Drive(Declare(Load(Detail()), Persons), Persons);
        foreach ((string coarse, string fine) in Coarsenings)
        {
            (long[] releasedCoarse, long[] coarseRisk, _) = d.Values(coarse);
            (long[] releasedFine, long[] fineRisk, _) = d.Values(fine);
            int lower = 0;
            for (int i = 0; i < Persons; i++)
            {
                Assert.Equal(releasedFine[i], releasedCoarse[i]); // the same extract, nothing suppressed
                if (releasedFine[i] < 0)
                    continue;
                Assert.Equal(One, releasedFine[i]);
                Assert.True(coarseRisk[i] <= fineRisk[i], $"person {i}: prosecutor risk {coarseRisk[i]} in '{coarse}' > {fineRisk[i]} in '{fine}'");
                lower += coarseRisk[i] < fineRisk[i] ? 1 : 0;
            }

            Assert.True(lower > Persons / 10, $"'{coarse}' lowers the risk of only {lower} records below '{fine}': the coarsening does not act");
        }
    }

    [Fact]
    public void Suppression_at_k_leaves_no_released_record_in_a_class_below_k()
    {
        // Exactly: a record is released with risk 1/f ≤ 1/k, in fixed point round(2^24/f) ≤ round(2^24/k); a suppressed record has no risk.
        const int K = SuppressionThreshold;
        long cap = ClassRisk.Risk(1.0 / K);
        Assert.Equal((long)Math.Round((double)ResearchCounters.Fine / K), cap);
        Driven d = Drive(Declare(Load(Detail()), Persons), Persons);
        foreach (string variant in new[] { "proposal-only-suppress", "proposal-without-coarse-age" })
        {
            (long[] released, long[] prosecutor, long[] journalist) = d.Values(variant);
            (_, long[] unsuppressed, _) = d.Values(variant == "proposal-only-suppress" ? VariantBuilder.NoSafeguards : "proposal-only-coarse-place");
            int kept = 0, suppressed = 0;
            for (int i = 0; i < Persons; i++)
            {
                if (released[i] < 0)
                    continue;
                Assert.True(released[i] == One || released[i] == 0, $"person {i}: released {released[i]} is neither 0 nor 1 with exact class sizes");
                if (released[i] == One)
                {
                    Assert.True(prosecutor[i] <= cap, $"person {i} in '{variant}': released with prosecutor risk {prosecutor[i]} > {cap} (1/{K})");
                    Assert.Equal(unsuppressed[i], prosecutor[i]); // suppression removes classes; it changes no kept class
                    kept++;
                }
                else
                {
                    Assert.Equal(0, prosecutor[i]);
                    Assert.Equal(0, journalist[i]);
                    Assert.True(unsuppressed[i] > cap, $"person {i} in '{variant}': suppressed from a class of risk {unsuppressed[i]} ≤ 1/{K}");
                    suppressed++;
                }
            }

            Assert.True(kept > 0 && suppressed > 0, $"'{variant}': {kept} kept, {suppressed} suppressed: the fixture must have both");
        }
    }

    [Theory]
    [InlineData(1.0, 0)]  // exact, everyone in the extract: F = f, so journalist = prosecutor
    [InlineData(0.5, 0)]  // exact, half in the extract: F ≥ f
    [InlineData(0.5, 8)]  // estimated for a declared population 8 times the simulated one
    public void Journalist_risk_never_exceeds_prosecutor_risk_for_any_record(double fraction, int declaredMultiple)
    {
        Scenario s = Declare(Load(Detail(fraction)), declaredMultiple == 0 ? Persons : (long)Persons * declaredMultiple);
        Driven d = Drive(s, Persons);
        Assert.Equal(declaredMultiple == 0, d.Replicate.Rho == 1);
        int below = 0;
        foreach (SimulationVariant v in d.Variants.Where(v => v.Id != VariantBuilder.StatusQuo))
        {
            (long[] released, long[] prosecutor, long[] journalist) = d.Values(v.Id);
            for (int i = 0; i < Persons; i++)
            {
                Assert.True(journalist[i] <= prosecutor[i], $"person {i} in '{v.Id}': journalist risk {journalist[i]} > prosecutor risk {prosecutor[i]}");
                Assert.True(journalist[i] >= 0 && prosecutor[i] <= ResearchCounters.Fine);
                below += released[i] > 0 && journalist[i] < prosecutor[i] ? 1 : 0;
            }
        }

        // The inequality is strict for some records exactly when the population holds persons outside the extract.
        Assert.Equal(fraction == 1 && declaredMultiple == 0, below == 0);
    }

    [Theory]
    [InlineData(0)]  // exact
    [InlineData(4)]  // estimated for a declared population 4 times the simulated one
    public void Records_suppressed_and_released_add_up_to_the_extract_in_every_row_and_replicate_of_a_record_level_release(int declaredMultiple)
    {
        // Each record adds 1 (fixed point) to released or to suppressed, never both: released + suppressed = extract
        // exactly in the tallies. The results divide by 2^24 and scale by declared/simulated (a power of 2 here, 4):
        // exact in binary, so the identity holds to the last bit, except for a sum rounded once (relative 2^-52).
        Scenario s = Declare(Load(Detail(0.8)), declaredMultiple == 0 ? Persons : (long)Persons * declaredMultiple);
        RunResult r = Run(s, replicates: 2, persons: Persons);
        int rows = 0;
        foreach (SimulationVariant v in r.Variants.Where(v => v.Id != VariantBuilder.StatusQuo))
        {
            foreach (string group in r.SeriesKeys.Select(x => x.Group).Distinct())
            {
                for (int k = 0; k < 2; k++)
                {
                    double extract = Value(r, v.Id, group, "records_in_extract", k);
                    double released = Value(r, v.Id, group, "records_released", k), suppressed = Value(r, v.Id, group, "records_suppressed", k);
                    if (v.Id.StartsWith("tables", StringComparison.Ordinal))
                    {
                        // A public table releases no record (records_released 0 by design); records_suppressed counts
                        // the records of its suppressed cells, so the identity is not the one of a record-level release.
                        Assert.Equal(0, released);
                        Assert.InRange(suppressed, 0, extract);
                        continue;
                    }

                    double sum = released + suppressed;
                    Assert.True(Math.Abs(sum - extract) <= 4 * double.Epsilon + extract * Math.Pow(2, -52),
                        $"{v.Id}/{group}/replicate {k}: released + suppressed = {sum:R}, extract {extract:R}");
                    rows++;
                }
            }
        }

        Assert.True(rows > 100);
        Assert.True(Value(r, "proposal-only-suppress", "all", "records_suppressed") > 0, "the fixture suppresses records");
    }
}
