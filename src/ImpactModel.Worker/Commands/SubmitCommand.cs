using System.CommandLine;
using System.Globalization;
using Hangfire;
using ImpactModel.Postgres;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Simulation.Shards;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Hosting;
using ImpactModel.Worker.Pool;
using ImpactModel.Worker.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImpactModel.Worker.Commands;

/// <summary>
/// <c>impact submit SCENARIO [--replicates N] [--shards N] [--seed N] [--population N] [--db CONNECTION]</c>:
/// records a run and its shards in the results store and queues its first phase for the pool's
/// workers (<c>impact serve</c> with the store configured). The scenario is checked first, as
/// <c>validate</c> checks it: a problem is refused with its position, exit 2, and nothing is written.
/// </summary>
internal static class SubmitCommand
{
    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("SCENARIO") { Description = "The scenario file." };
        var replicates = CommonOptions.Replicates($"Replicates (default {RunCommand.DefaultReplicates}, or the Run:Replicates setting).");
        var seed = CommonOptions.Seed($"Random seed (default {RunCommand.DefaultSeed}).");
        var population = CommonOptions.Population("Persons to simulate per replicate (default as impact run).");
        var shards = CommonOptions.Whole("--shards", "Shards to cut the run into, each a job for one worker (default 1).", "N", 1, ShardPlan.MaxShards, 1);
        var db = StoreAccess.Db();
        var command = new Command("submit",
            "Record a run in the results store and queue its shards for the workers of 'impact serve' (with the store configured); " +
            "follow it with 'impact status RUN' and write its folder with 'impact export RUN --out DIR'.")
        {
            file, replicates, seed, population, shards, db,
        };
        command.SetAction(parse =>
        {
            ShardPool.RequireQueue("submit");
            using IHost host = ImpactHost.CreateBuilder(parse.GetValue(ImpactCli.Settings) ?? []).Build();
            var configuration = host.Services.GetRequiredService<IConfiguration>();
            var files = new RememberingScenarioFiles(host.Services.GetRequiredService<DiskScenarioFiles>());
            // The scenario before the store: a bad one writes nothing.
            Scenario scenario = ShardCommand.LoadScenario(parse.GetRequiredValue(file), files);
            IReadOnlyList<IStrandModel> models = host.Services.GetRequiredService<StrandRegistry>().For(scenario).Models;
            int n = parse.GetValue(replicates) ?? CommonOptions.Setting(configuration, "Run:Replicates", Limits.MinReplicates, Limits.MaxReplicates)
                ?? RunCommand.DefaultReplicates;
            long persons = parse.GetValue(population) ?? CommonOptions.Setting(configuration, "Run:Population", Limits.MinPopulation, Limits.MaxPopulation)
                ?? RunCommand.DefaultPersonsOf(scenario);
            int count = parse.GetValue(shards);
            ShardPlan plan = ShardPlan.TryCreate(count, n, persons, out string? problem) ?? throw new UsageException($"--shards {count}: {problem}");
            var settings = new RunSettings(parse.GetValue(seed) ?? RunCommand.DefaultSeed, n, persons);
            ShardCommand.RequireFitsTheStore(scenario, models, settings, plan);
            int phases = ShardRunner.Phases(models);

            using ResultStore store = StoreAccess.Require(parse.GetValue(db), configuration, "impact submit");
            // The queue first: a store where Hangfire's schema cannot be made refuses the run before it is recorded.
            var jobs = new BackgroundJobClient(ShardPool.Storage(store));
            long runId = store.CreateRun(StoredRuns.NewRun(StoredRuns.SaveScenario(store, scenario, files), scenario, settings, count, phases));
            try
            {
                ShardPool.EnqueuePhase(jobs, runId, count, 1);
            }
            catch (Exception e)
            {
                store.SetRunStatus(runId, RunStatus.Failed, error: $"its shards could not be queued: {e.Message}");
                throw;
            }

            console.Out.WriteLine(runId.ToString(CultureInfo.InvariantCulture));
            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"impact: run {runId} submitted to the store at {store.Endpoint}: {scenario.Name}, seed {settings.Seed}, {n} replicates of {persons:N0} persons " +
                $"in {count} shard{(count == 1 ? "" : "s")}{(phases > 1 ? $" and {phases} phases" : "")}; follow it with impact status {runId}"));
            return ExitCodes.Success;
        });
        return command;
    }
}
