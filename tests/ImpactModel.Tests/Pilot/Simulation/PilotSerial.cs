namespace ImpactModel.Tests.Pilot.Simulation;

/// <summary>
/// The simulated-pilot tests run alone, after the others: each allocates gigabytes in a few seconds
/// (thousands of engine replicates), and the garbage collector they keep busy slows every test beside
/// them. (Their collections once crashed chart drawing beside them in libSkiaSharp; that was ScottPlot's
/// unheld marker paths, fixed in <c>HeldPathMarker</c>.)
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PilotSerial
{
    public const string Name = "simulated pilots (allocation-heavy, run alone)";
}
