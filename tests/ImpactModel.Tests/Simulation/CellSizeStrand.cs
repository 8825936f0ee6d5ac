using ImpactModel.Population;
using ImpactModel.Simulation;

namespace ImpactModel.Tests.Simulation;

/// <summary>
/// A strand written only to prove the seam's two passes (docs/architecture.md uses it as the
/// example of what a new strand writes): pass 0 counts the persons in each cell of (age, sex,
/// area) — an equivalence class of a released extract — per variant, into an accumulator; pass 1
/// reads the merged counts and attributes each person the size of their class, counting uniques
/// (classes of one) and persons in small classes by group, and marking uniques as harmed. It runs
/// after the population model, which reports <c>persons</c>, so it reports no metric of that name.
/// </summary>
/// <remarks>
/// Variants release age at different widths so that their accumulators differ: variant v groups
/// ages into bands of <see cref="AgeWidth"/>(v) years (1, 5, 10, 1, 5, 10 …).
/// </remarks>
internal sealed class CellSizeStrand : IStrandModel
{
    /// <summary>Classes of at most this many persons are "small" (the usual statistical disclosure threshold of 10).</summary>
    public const int SmallClass = 10;

    private const int Ages = 101; // 0 … 99 and 100+

    private readonly int _areas;

    public CellSizeStrand(int areas) => _areas = areas;

    public enum Counter
    {
        Persons,
        Uniques,
        SmallClassPersons,
        ClassSizeSum,
    }

    public CounterSet Counters { get; } = CounterSet.Of<Counter>();

    public PersonAttributes Reads => PersonAttributes.Age | PersonAttributes.Sex;

    public IReadOnlyList<string> SharedParameters => ["population"];

    public IReadOnlyList<MetricDefinition> Metrics { get; } =
    [
        new("uniques", MetricUnit.Persons, (int)Counter.Uniques, IsHarm: true),
        new("unique_rate", MetricUnit.Rate, (int)Counter.Uniques, (int)Counter.Persons, IsHarm: true),
        new("small_class_rate", MetricUnit.Rate, (int)Counter.SmallClassPersons, (int)Counter.Persons),
        // Not a rate in [0, 1]: the mean class size a person is in, which the runner forms the same way.
        new("mean_class_size", MetricUnit.Rate, (int)Counter.ClassSizeSum, (int)Counter.Persons),
    ];

    public int Passes => 2;

    /// <summary>Persons per (age band, sex, area) cell, per variant.</summary>
    public IReadOnlyList<AccumulatorDefinition> Accumulators => [new("class_sizes", Cells)];

    private int Cells => Ages * 2 * _areas;

    public static int AgeWidth(int variant) => (variant % 3) switch { 0 => 1, 1 => 5, _ => 10 };

    /// <summary>The cell of a person in a variant: (age band start, sex, area).</summary>
    public int CellOf(int variant, byte age, bool female, byte area)
    {
        int width = AgeWidth(variant);
        int band = Math.Min(age, (byte)(Ages - 1)) / width * width;
        return (band * 2 + (female ? 1 : 0)) * _areas + area;
    }

    public IStrandReplicate Compile(ReplicateContext context) => new Replicate(this, context.Variants.Count);

    private sealed class Replicate(CellSizeStrand model, int variants) : IStrandReplicate
    {
        private Accumulators? _classes;

        public IChunkEvaluator CreateEvaluator(int pass, int chunkCapacity) => pass == 0
            ? new CountCells(model, variants)
            : new AttributeSizes(model, variants, _classes ?? throw new InvalidOperationException("pass 1 before the end of pass 0"));

        public void EndPass(int pass, Accumulators merged)
        {
            if (pass == 0)
                _classes = merged;
        }

        public void Complete(StrandTally total)
        {
        }
    }

    private sealed class CountCells(CellSizeStrand model, int variants) : IChunkEvaluator
    {
        public void Evaluate(PersonChunk persons, in ChunkOutput output)
        {
            byte[] age = persons.Age, area = persons.Area;
            bool[] female = persons.Female;
            for (int v = 0; v < variants; v++)
            {
                Span<long> cells = output.Accumulators.Of(0, v);
                for (int i = 0; i < persons.Count; i++)
                    cells[model.CellOf(v, age[i], female[i], area[i])]++;
            }
        }
    }

    private sealed class AttributeSizes(CellSizeStrand model, int variants, Accumulators classes) : IChunkEvaluator
    {
        public void Evaluate(PersonChunk persons, in ChunkOutput output)
        {
            StrandTally<Counter> tally = output.Tally.As<Counter>();
            byte[] age = persons.Age, area = persons.Area;
            bool[] female = persons.Female;
            ReadOnlySpan<uint> masks = persons.Groups;
            for (int v = 0; v < variants; v++)
            {
                ReadOnlySpan<long> cells = classes.Of(0, v);
                for (int i = 0; i < persons.Count; i++)
                {
                    long size = cells[model.CellOf(v, age[i], female[i], area[i])];
                    tally.Add(v, masks[i], Counter.Persons, 1);
                    tally.Add(v, masks[i], Counter.ClassSizeSum, size);
                    if (size <= SmallClass)
                        tally.Add(v, masks[i], Counter.SmallClassPersons, 1);
                    if (size == 1)
                    {
                        tally.Add(v, masks[i], Counter.Uniques, 1);
                        output.Flags.Mark(v, i, PersonOutcome.Harmed);
                    }
                }
            }
        }
    }
}
