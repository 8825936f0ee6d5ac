using System.Collections.Concurrent;
using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Strands.Fraud;
using ImpactModel.Strands.Research;
using ImpactModel.StrandKit;
using ImpactModel.Tests.Strands.Fraud;
using ImpactModel.Tests.Strands.Research;
using ImpactModel.Tests.Strands.TailoredServices;

namespace ImpactModel.Tests.Strands;

/// <summary>
/// What each strand declares it marks per person (<see cref="IStrandModel.Marks"/>) against what it
/// marks and counts, on the shipped scenarios (issue 25: the person-level flags agree with each
/// strand's counted harms, the totals exactly): persons with each bit in each variant, counted by an
/// observer, equal the declared metric's unscaled events in row <c>all</c> summed over the same
/// replicates; a bit no mark declares is never set; a linking-only bit never in the status quo;
/// protection never in the status quo nor with exposure. In the research collection: the research
/// runs must not overlap a test that flips the strand's static switches.
/// </summary>
[Collection(ResearchSerial.Name)]
public sealed class PersonMarksTests
{
    private const ulong Seed = 11;

    [Fact]
    public void Fraud_marks_exactly_the_persons_its_metrics_count_and_protects_no_one()
    {
        Scenario s = FraudStrandTests.ShippedScenario();
        Observed o = AssertMarksAgree(s, persons: 50_000, replicates: 2, compareUnobserved: true);

        // Today's checks flag claims in every variant: the status quo exposes its referrals, and
        // whoever it exposes every variant exposes too (matching adds flags, it takes none away).
        Assert.True(o.Marked[o.StatusQuo, Bit(PersonOutcome.Exposed)] > 0, "today's checks flag someone");
        Assert.All(o.ExposedOnlyInStatusQuo, n => Assert.Equal(0, n));
        Assert.DoesNotContain(new FraudModel(s).Marks, m => m.Outcome == PersonOutcome.Protected);
    }

    [Fact]
    public void Tailored_services_marks_exactly_the_persons_its_metrics_count_and_protects_the_withheld()
    {
        Scenario s = TailoredServicesStrandTests.ShippedScenario();
        uint survivors = MaskOf(s, "domestic-abuse-survivor"); // the group exclude-abuse-survivors lists
        Observed o = AssertMarksAgree(s, persons: 30_000, replicates: 2, compareUnobserved: true, watched: survivors);

        // Exclusion alone protects members of its group only, and some of them.
        int excluded = o.Index("proposal-only-exclude-abuse-survivors");
        Assert.Equal(0, o.ProtectedOutsideWatched[excluded]);
        Assert.True(o.Marked[excluded, Bit(PersonOutcome.Protected)] > 0, "exclusion withholds some survivors");

        // Under proactive contact the action has no opt-out, so opted_out counts the opt-outs of matching
        // alone: exactly the protected outside the excluded group.
        int contact = o.Index("proactive-contact");
        Assert.Equal(Events(o.Run, "proactive-contact", "opted_out"), o.ProtectedOutsideWatched[contact]);
        Assert.True(o.ProtectedOutsideWatched[contact] > 0, "some persons opt out of matching");
        Assert.Equal(o.Marked[contact, Bit(PersonOutcome.Protected)] - o.ProtectedOutsideWatched[contact], o.ProtectedWatched[contact]);

        // The skip of persons no variant can affect marks the same persons as the variant loop.
        try
        {
            ImpactModel.Strands.TailoredServices.TailoredEvaluator.FastPaths = false;
            Observed slow = AssertMarksAgree(s, persons: 30_000, replicates: 2, compareUnobserved: false, watched: survivors);
            Assert.Equal(o.Marked.Cast<long>(), slow.Marked.Cast<long>());
            Assert.Equal(o.ProtectedWatched, slow.ProtectedWatched);
        }
        finally
        {
            ImpactModel.Strands.TailoredServices.TailoredEvaluator.FastPaths = true;
        }
    }

    [Theory]
    [InlineData(true)]  // the declared population simulated: class sizes exact, sample uniques are harms
    [InlineData(false)] // fewer: nobody is known unique, exposure is still exact
    public void Research_marks_exactly_the_persons_its_metrics_count(bool exact)
    {
        const long Persons = 40_000;
        Scenario s = exact ? ResearchFixture.Declare(ResearchFixture.Shipped(), Persons) : ResearchFixture.Shipped();
        Observed o = AssertMarksAgree(s, Persons, replicates: 2, compareUnobserved: false); // observed against unobserved: FormedTalliesTests
        Assert.Equal(exact, o.Total(PersonOutcome.Harmed) > 0);
    }

    [Theory]
    [InlineData(true)]  // pass 1 only marks (the figures formed at the end of pass 0)
    [InlineData(false)] // pass 1 attributes every figure person by person, and marks
    public void Research_protects_exactly_the_persons_its_safeguards_leave_out_of_the_extract(bool formed)
    {
        // Detail's releases with an opt-out, consent and an exclusion of survivors acting on the extract.
        string text = ResearchFixture.Detail(0.9).Replace("safeguards:\n", """
            safeguards:
              - { id: leave-out, type: opt-out, opt_out_rate: 0.05 }
              - { id: ask, type: consent, consent_rate: 0.97 }
              - { id: no-survivors, type: sensitive-category-exclusion, groups: [domestic-abuse-survivor] }

            """.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("no-survivors", text, StringComparison.Ordinal);
        const long Persons = 20_000;
        Scenario s = ResearchFixture.Declare(ResearchFixture.Load(text), Persons);
        Observed o;
        try
        {
            ResearchReplicate.TalliesFromClassCounts = formed;
            o = AssertMarksAgree(s, Persons, replicates: 2, compareUnobserved: false, watched: MaskOf(s, "domestic-abuse-survivor"));
        }
        finally
        {
            ResearchReplicate.TalliesFromClassCounts = true;
        }

        // Every variant samples the same persons (common random numbers, one sample fraction): those in
        // the extract without any safeguard are those in a variant's extract and those it withholds.
        long sampled = Events(o.Run, "proposal-no-safeguards", "records_in_extract");
        foreach (SimulationVariant v in o.Run.Variants.Where(v => v.LinksData))
        {
            int at = o.Index(v.Id);
            Assert.Equal(sampled - Events(o.Run, v.Id, "records_in_extract"), o.Marked[at, Bit(PersonOutcome.Protected)]);
        }

        // Exclusion alone protects members of its group only, and some of them.
        int excluded = o.Index("proposal-only-no-survivors");
        Assert.True(o.Marked[excluded, Bit(PersonOutcome.Protected)] > 0, "exclusion withholds some survivors");
        Assert.Equal(0, o.ProtectedOutsideWatched[excluded]);
    }

    [Fact]
    public void The_population_and_linkage_model_marks_nothing_and_each_strand_declares_a_meaning_for_what_it_marks()
    {
        foreach (Scenario s in new[] { FraudStrandTests.ShippedScenario(), TailoredServicesStrandTests.ShippedScenario(), ResearchFixture.Shipped() })
        {
            IReadOnlyList<IStrandModel> models = BuiltInStrands.Registry.For(s).Models;
            Assert.All(models.OfType<PopulationLinkageModel>(), m => Assert.Empty(((IStrandModel)m).Marks));
            IStrandModel strand = Assert.Single(models, m => m is not PopulationLinkageModel);
            Assert.NotEmpty(strand.Marks);
            Assert.All(strand.Marks, m =>
            {
                Assert.False(string.IsNullOrWhiteSpace(m.Meaning));
                Assert.True(BitCount(m.Outcome) == 1, $"{s.Strand}: a mark is one bit ({m.Outcome})");
                Assert.True(m.Metric is null || strand.Metrics.Any(d => d.Name == m.Metric), $"{s.Strand}: no metric '{m.Metric}'");
            });
            Assert.Equal(strand.Marks.Count, strand.Marks.Select(m => m.Outcome).Distinct().Count());
        }
    }

    /// <summary>
    /// Runs <paramref name="s"/> observed and checks every model's declared marks against the
    /// persons marked: the counts equal their metrics' events in row <c>all</c>; a bit no mark
    /// declares is never set; a linking-only bit and protection never in a variant that links no data;
    /// a whole-population-only bit set only when the declared population is simulated; no person both
    /// exposed and protected in a variant. With <paramref name="compareUnobserved"/>, also that the
    /// results are byte-identical without an observer.
    /// </summary>
    private static Observed AssertMarksAgree(Scenario s, long persons, int replicates, bool compareUnobserved, uint watched = 0)
    {
        IReadOnlyList<SimulationVariant> variants = VariantBuilder.Build(s);
        var observers = new ConcurrentBag<MarkCounter>();
        var settings = new RunSettings(Seed, replicates, persons, 2, 4096);
        RunResult run = SimulationRunner.Run(s, settings, BuiltInStrands.Registry, observe: _ =>
        {
            var counter = new MarkCounter(variants.Count, StatusQuoOf(variants), watched);
            observers.Add(counter);
            return counter;
        });
        var o = new Observed(run, variants, observers);

        PersonMark[] marks = [.. BuiltInStrands.Registry.For(s).Models.SelectMany(m => m.Marks)];
        Assert.NotEmpty(marks);
        bool whole = persons >= s.Population.Size;
        for (int b = 0; b < Bits; b++)
        {
            var outcome = (PersonOutcome)(1 << b);
            PersonMark? mark = marks.SingleOrDefault(m => m.Outcome == outcome);
            for (int v = 0; v < variants.Count; v++)
            {
                long marked = o.Marked[v, b];
                string where = $"{s.Strand}, {variants[v].Id}, {outcome}";
                if (mark is null || (mark.WholePopulationOnly && !whole))
                {
                    Assert.True(marked == 0, $"{where}: {marked} persons marked with a bit the strand does not mark here");
                    continue;
                }

                if (!variants[v].LinksData && (mark.LinkingVariantsOnly || outcome == PersonOutcome.Protected))
                    Assert.True(marked == 0, $"{where}: {marked} persons marked in a variant that links no data");
                if (mark.Metric is { } metric)
                    Assert.True(Events(run, variants[v].Id, metric) == marked, $"{where}: {marked} persons marked, {Events(run, variants[v].Id, metric)} {metric} events");
            }

            if (mark?.Metric is not null && !(mark.WholePopulationOnly && !whole))
                Assert.True(o.Total(outcome) > 0, $"{s.Strand}: the run marks someone {outcome}, so the equality is not empty");
        }

        Assert.All(marks.Where(m => m.Outcome == PersonOutcome.Protected), m => Assert.True(m.LinkingVariantsOnly, "a safeguard acts only in a variant that links data"));
        Assert.All(o.ExposedAndProtected, n => Assert.Equal(0, n));
        if (compareUnobserved)
            Assert.Equal(ResearchFixture.ResultsCsv(SimulationRunner.Run(s, settings, BuiltInStrands.Registry)), ResearchFixture.ResultsCsv(run));
        return o;
    }

    /// <summary>Row <c>all</c>'s unscaled events of <paramref name="metric"/> in <paramref name="variant"/>, summed over replicates; 0 where the variant does not report it.</summary>
    private static long Events(RunResult run, string variant, string metric)
    {
        Assert.Contains(run.Metrics, m => m.Name == metric);
        return run.Rows.SingleOrDefault(r => r.Variant == variant && r.Group == "all" && r.Metric == metric)?.Events ?? 0;
    }

    private const int Bits = 4;

    private static int Bit(PersonOutcome outcome) => System.Numerics.BitOperations.TrailingZeroCount((uint)outcome);

    private static int BitCount(PersonOutcome outcome) => System.Numerics.BitOperations.PopCount((uint)outcome);

    private static int StatusQuoOf(IReadOnlyList<SimulationVariant> variants) =>
        variants.Select((v, i) => (v, i)).Single(x => x.v.Kind == VariantKind.StatusQuo).i;

    private static uint MaskOf(Scenario s, string group)
    {
        int g = s.Population.Groups.Select(x => x.Id).ToList().IndexOf(group);
        Assert.True(g >= 0, $"no group '{group}'");
        return 1u << g;
    }

    /// <summary>What the observers saw, summed over their tasks and the replicates.</summary>
    private sealed class Observed
    {
        private readonly IReadOnlyList<SimulationVariant> _variants;

        public Observed(RunResult run, IReadOnlyList<SimulationVariant> variants, IEnumerable<MarkCounter> counters)
        {
            Run = run;
            _variants = variants;
            StatusQuo = StatusQuoOf(variants);
            int n = variants.Count;
            Marked = new long[n, Bits];
            (ExposedAndProtected, ExposedOnlyInStatusQuo, ProtectedWatched, ProtectedOutsideWatched) = (new long[n], new long[n], new long[n], new long[n]);
            foreach (MarkCounter c in counters)
            {
                for (int v = 0; v < n; v++)
                {
                    for (int b = 0; b < Bits; b++)
                        Marked[v, b] += c.Marked[v, b];
                    ExposedAndProtected[v] += c.ExposedAndProtected[v];
                    ExposedOnlyInStatusQuo[v] += c.ExposedOnlyInStatusQuo[v];
                    ProtectedWatched[v] += c.ProtectedWatched[v];
                    ProtectedOutsideWatched[v] += c.ProtectedOutsideWatched[v];
                }
            }
        }

        public RunResult Run { get; }

        public int StatusQuo { get; }

        public long[,] Marked { get; }

        public long[] ExposedAndProtected { get; }

        public long[] ExposedOnlyInStatusQuo { get; }

        public long[] ProtectedWatched { get; }

        public long[] ProtectedOutsideWatched { get; }

        public int Index(string variant)
        {
            int at = _variants.Select(v => v.Id).ToList().IndexOf(variant);
            Assert.True(at >= 0, $"no variant '{variant}'");
            return at;
        }

        public long Total(PersonOutcome outcome)
        {
            long total = 0;
            for (int v = 0; v < _variants.Count; v++)
                total += Marked[v, Bit(outcome)];
            return total;
        }
    }

    /// <summary>
    /// Per variant: persons with each bit; persons both exposed and protected; persons the status quo
    /// exposes and the variant does not; protected persons in and outside the watched groups.
    /// </summary>
    private sealed class MarkCounter(int variants, int statusQuo, uint watched) : IChunkObserver
    {
        public long[,] Marked { get; } = new long[variants, Bits];

        public long[] ExposedAndProtected { get; } = new long[variants];

        public long[] ExposedOnlyInStatusQuo { get; } = new long[variants];

        public long[] ProtectedWatched { get; } = new long[variants];

        public long[] ProtectedOutsideWatched { get; } = new long[variants];

        public void Observe(PersonChunk persons, PersonFlags flags)
        {
            int n = persons.Count;
            ReadOnlySpan<uint> masks = persons.Groups;
            ReadOnlySpan<PersonOutcome> today = flags.Of(statusQuo, n);
            for (int v = 0; v < variants; v++)
            {
                ReadOnlySpan<PersonOutcome> outcomes = flags.Of(v, n);
                for (int i = 0; i < n; i++)
                {
                    PersonOutcome o = outcomes[i];
                    for (int b = 0; b < Bits; b++)
                        Marked[v, b] += ((int)o >> b) & 1;
                    bool exposed = (o & PersonOutcome.Exposed) != 0, protectedHere = (o & PersonOutcome.Protected) != 0;
                    ExposedAndProtected[v] += exposed && protectedHere ? 1 : 0;
                    ExposedOnlyInStatusQuo[v] += (today[i] & PersonOutcome.Exposed) != 0 && !exposed ? 1 : 0;
                    if (protectedHere && (masks[i] & watched) != 0)
                        ProtectedWatched[v]++;
                    else if (protectedHere)
                        ProtectedOutsideWatched[v]++;
                }
            }
        }
    }
}
