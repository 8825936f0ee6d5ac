using System.Text.RegularExpressions;
using ImpactModel.Worker.Cli;
using YamlDotNet.RepresentationModel;

namespace ImpactModel.Tests.Cli;

/// <summary>
/// The deployment files of docs/deployment.md run commands this build accepts: the Kubernetes jobs'
/// arguments parse, the indexed job's completions are the N of its <c>--shard auto/N</c>, and the Slurm
/// scripts pass bash's syntax check and call the verbs with options that exist.
/// </summary>
public class DeploymentFilesTests
{
    private static YamlMappingNode Job(string file)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(ValidateCommandTests.RepositoryFile("deploy", "kubernetes", file));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static string[] Args(YamlMappingNode job)
    {
        var spec = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)job["spec"])["template"])["spec"];
        var container = (YamlMappingNode)((YamlSequenceNode)spec["containers"]).Children[0];
        return [.. ((YamlSequenceNode)container["args"]).Children.Select(a => ((YamlScalarNode)a).Value!)];
    }

    private static void Parses(string[] args)
    {
        var parse = ImpactCli.Build(new CliConsole(TextWriter.Null, TextWriter.Null, IsTerminal: false)).Parse(args);
        Assert.True(parse.Errors.Count == 0, $"{string.Join(' ', args)}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
    }

    [Fact]
    public void The_indexed_job_runs_as_many_completions_as_shards_with_arguments_the_cli_accepts()
    {
        YamlMappingNode job = Job("shards-job.yaml");
        var spec = (YamlMappingNode)job["spec"];
        Assert.Equal("Indexed", ((YamlScalarNode)spec["completionMode"]).Value);
        string[] args = Args(job);
        Parses(args);
        string shard = args.Single(a => a.StartsWith("--shard=", StringComparison.Ordinal));
        Assert.Equal($"--shard=auto/{((YamlScalarNode)spec["completions"]).Value}", shard);
        Parses(Args(Job("merge-job.yaml")));
    }

    [Fact]
    public void The_slurm_scripts_are_valid_bash_and_call_the_verbs_with_options_that_exist()
    {
        foreach (string script in new[] { "shard.sbatch", "submit.sh" })
        {
            string path = ValidateCommandTests.RepositoryFile("deploy", "slurm", script);
            using var bash = System.Diagnostics.Process.Start("bash", ["-n", path])!;
            Assert.True(bash.WaitForExit(30_000) && bash.ExitCode == 0, $"bash -n {script}");
            string text = File.ReadAllText(path);
            foreach (Match option in Regex.Matches(text, @"(?<= )--(shard|phase|out|threads)\b"))
                Parses(["run", "x.yaml", option.Value == "--shard" ? "--shard=1/2" : option.Value == "--threads" ? "--threads=1" : $"{option.Value}=1"]);
        }
    }
}
