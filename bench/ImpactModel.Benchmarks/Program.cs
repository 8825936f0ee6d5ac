using BenchmarkDotNet.Running;

namespace ImpactModel.Benchmarks;

/// <summary>
/// Runs the benchmarks: <c>dotnet run -c Release --project bench/ImpactModel.Benchmarks -- --filter '*'</c>.
/// Add <c>--job short</c> for a quick look (3 iterations); the numbers in docs/performance.md use the default job.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
