#!/usr/bin/env python3
"""Where a whole `impact` process spends its CPU, by stage, from `perf script` of a `perf record -g` run.

Usage: perf script -i perf.data -F comm,tid,ip,sym,dso | python3 categorise.py [sampling-frequency]
Each sample is put in the stage of the innermost frame that names one (see STAGES, innermost wins);
samples in the JIT (or on the tiered-compilation thread) are JIT compilation whatever called it, and
the rest go by library. Prints CPU seconds per stage (samples / frequency). Record with
  DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -F 999 -g -o perf.data IMPACT run ...
so that perf can name the JIT-compiled methods (code precompiled ReadyToRun stays unnamed: "other").
"""
import collections
import re
import sys

# (stage, pattern): a frame matching the pattern puts the sample in the stage; the innermost match wins.
STAGES = [
    ("host start-up (command line, Generic Host, DI)", r"ImpactCli::RunAsync|HostApplicationBuilder|ImpactHost::|ServiceProvider"),
    ("load and validate scenario", r"ScenarioLoader::|PackageLoader::|ScenarioSchema|JsonSchema"),
    ("compile replicate (population, linkage tables, strand)", r"ReplicateRun::Start|CompiledPopulation::Compile|Strand.*::Compile|RunAssembly::\.ctor"),
    ("population generation", r"CompiledPopulation::Generate|CompiledPopulation::Memberships|CompiledPopulation::Categoricals"),
    ("strand evaluation (all variants)", r"ThreadPass::Evaluate|Evaluator::Evaluate|ClassCounter::Evaluate|ExtractPersons::|IChunkEvaluator"),
    ("linkage", r"CompiledLinkage::Link"),
    ("tally of persons", r"TallyTable::AddPersons|PopulationTally::"),
    ("chunk loop (inlined generation and dispatch)", r"ChunkLoop\+"),
    ("merging and statistics", r"RunAssembly::(Finish|Add)|ReplicateRun::(Complete|EndPass)|Summaries|Accumulators::Merge|MonteCarlo"),
    ("writing the run folder (csv, manifest, review)", r"RunFolder::|RunReview::|Sensitivity"),
    ("charts and report", r"ReportWriter::|ScottPlot|ChartKit|HtmlReport|RunFolderReader"),
    ("terminal summary", r"RunCommand::Summarise|TerminalSummary"),
]
COMPILED = [(name, re.compile(p)) for name, p in STAGES]


def main():
    freq = float(sys.argv[1]) if len(sys.argv) > 1 else 999.0
    counts = collections.Counter()
    stack, comm = [], ""

    def flush():
        if not stack:
            return
        stage = None
        if "libclrjit" in stack[0] or comm.startswith(".NET Tiered"):
            stack[:] = [stack[0]]  # compiling code, whoever asked for it
        for frame in stack:  # innermost first (perf prints the leaf first)
            for name, rx in COMPILED:
                if rx.search(frame):
                    stage = name
                    break
            if stage:
                break
        if stage is None:
            leaf = stack[0]
            if "libclrjit" in leaf or comm.startswith(".NET Tiered"):
                stage = "JIT compilation"
            elif "[k]" in leaf or "kallsyms" in leaf:
                stage = "kernel (page faults, I/O)"
            elif "libcoreclr" in leaf:
                stage = "runtime (type loading, GC, stubs)"
            else:
                stage = "other"
        counts[stage] += 1

    for line in sys.stdin:
        if not line.strip():
            flush()
            stack = []
            continue
        if not line.startswith("\t"):
            # A sample's header: the thread's name (perf may pad it with spaces), then its id.
            flush()
            stack = []
            comm = line.strip().rsplit(None, 1)[0]
            continue
        stack.append(line.strip())
    flush()
    total = sum(counts.values())
    print(f"{'stage':58} {'CPU s':>7} {'share':>6}")
    for name, n in counts.most_common():
        print(f"{name:58} {n / freq:7.2f} {100 * n / total:5.1f}%")
    print(f"{'total':58} {total / freq:7.2f}")


if __name__ == "__main__":
    main()
