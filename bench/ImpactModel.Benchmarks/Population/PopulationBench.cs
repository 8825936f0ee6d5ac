using BenchmarkDotNet.Attributes;
using ImpactModel.Population;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Benchmarks.Population;

/// <summary>
/// Generating the shipped UK population with aggregation (the work of <c>impact describe</c>):
/// one chunk on one core (per-person cost, allocation per chunk after warm-up), and many persons
/// on both cores. Persons per second = persons / mean.
/// <c>dotnet run -c Release --project bench/ImpactModel.Benchmarks -- --filter '*PopulationBench*'</c>
/// </summary>
[MemoryDiagnoser]
public class PopulationBench
{
    private CompiledPopulation _population = null!;
    private PersonChunk _chunk = null!;
    private PopulationTally _tally = null!;
    private double[] _boundaries = [];

    [Params(10_000_000)]
    public long Persons { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        PopulationSpec spec = ShippedScenarios.LoadPopulation("uk-population.yaml");
        _population = CompiledPopulation.Compile(spec, 1, 0);
        _chunk = new PersonChunk();
        _boundaries = [.. spec.Income!.Deciles];
        _tally = new PopulationTally(spec.Areas.Length, spec.Groups.Length, _boundaries.Length);
        _placesTally = new PopulationTally(spec.Areas.Length, spec.Groups.Length, _boundaries.Length, spec.LocalAuthorities.Length, spec.AgeBands.Length);
        _generated = new PersonChunk[64];
        for (int c = 0; c < _generated.Length; c++)
        {
            _generated[c] = new PersonChunk();
            _population.Generate(_generated[c], c * (long)PersonChunk.DefaultCapacity, PersonChunk.DefaultCapacity);
        }
    }

    private PopulationTally _placesTally = null!;
    private PersonChunk[] _generated = [];

    private long _next;

    /// <summary>
    /// One chunk generated and tallied on one core; should allocate nothing. Each call takes the next
    /// chunk of persons: repeating one chunk would let the branch predictor learn its persons.
    /// </summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = PersonChunk.DefaultCapacity)]
    public void OneChunkOneCore()
    {
        _population.Generate(_chunk, (_next++ % 100_000) * PersonChunk.DefaultCapacity, PersonChunk.DefaultCapacity);
        _tally.Add(_chunk, _boundaries);
    }

    /// <summary>
    /// Tallying alone, as describe does (local authorities and age bands counted): 64 chunks of every
    /// attribute generated once, added in turn (one repeated chunk would let the branch predictor learn it).
    /// </summary>
    [Benchmark(OperationsPerInvoke = PersonChunk.DefaultCapacity)]
    public void TallyWithPlaces() => _placesTally.Add(_generated[(int)(_next++ % _generated.Length)], _boundaries);

    /// <summary>Generation alone (no tally), for the split of the per-person cost.</summary>
    [Benchmark(OperationsPerInvoke = PersonChunk.DefaultCapacity)]
    public void GenerateOnly() => _population.Generate(_chunk, (_next++ % 100_000) * PersonChunk.DefaultCapacity, PersonChunk.DefaultCapacity);

    /// <summary>
    /// Generation of what every model needs (area, income decile, group memberships), nothing
    /// optional: the cost a strand pays that reads neither the local authority nor single years.
    /// </summary>
    [Benchmark(OperationsPerInvoke = PersonChunk.DefaultCapacity)]
    public void GenerateRequiredOnly() =>
        _population.Generate(_chunk, (_next++ % 100_000) * PersonChunk.DefaultCapacity, PersonChunk.DefaultCapacity, PersonAttributes.None);

    /// <summary>
    /// Generation of the required attributes and the categorical ones (the accommodation type, which
    /// follows group membership): its cost is this less <see cref="GenerateRequiredOnly"/>.
    /// </summary>
    [Benchmark(OperationsPerInvoke = PersonChunk.DefaultCapacity)]
    public void GenerateCategorical() =>
        _population.Generate(_chunk, (_next++ % 100_000) * PersonChunk.DefaultCapacity, PersonChunk.DefaultCapacity, PersonAttributes.Categorical);

    /// <summary>Generation on both cores, nothing optional read (10 M persons; persons/s = Persons / mean).</summary>
    [Benchmark]
    public int BothCoresRequiredOnly() => GenerateOnBothCores(PersonAttributes.None);

    /// <summary>Generation on both cores with the local authority and the single year of age read (issue 16's target: 35 M persons/s).</summary>
    [Benchmark]
    public int BothCoresWithAuthorityAndAge() => GenerateOnBothCores(PersonAttributes.LocalAuthority | PersonAttributes.Age);

    private int GenerateOnBothCores(PersonAttributes wanted) =>
        ChunkLoop.Run(_population, wanted, 0, Persons, new ChunkLoopOptions(ChunksPerItem: 64), () => new int[1],
            (state, chunk) => state[0] += chunk.Count).Sum(s => s[0]);

    /// <summary>Many persons across both cores with per-item tallies merged in order (what describe does).</summary>
    [Benchmark]
    public long BothCores() => PopulationGenerator.Tally(_population, 0, Persons).Persons;
}
