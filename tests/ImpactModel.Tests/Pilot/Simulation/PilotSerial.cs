namespace ImpactModel.Tests.Pilot.Simulation;

/// <summary>
/// The simulated-pilot tests run alone, after the others: each allocates gigabytes in a few seconds
/// (thousands of engine replicates), so the garbage collector runs constantly, and a chart drawn beside
/// them in the same test host was twice seen to crash it (a segfault in libSkiaSharp on the drawing
/// thread, as if a Skia object were freed while a native call still used it). A pilot command draws its
/// charts after its simulation, never beside it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PilotSerial
{
    public const string Name = "simulated pilots (allocation-heavy, run alone)";
}
