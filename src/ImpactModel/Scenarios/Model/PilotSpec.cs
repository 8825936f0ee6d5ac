using System.Collections.Immutable;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Model;

/// <summary>The outcomes a pilot can be sized to detect.</summary>
public enum PilotOutcomeKind
{
    /// <summary>The primary benefit: a difference between arms.</summary>
    Benefit,

    /// <summary>A group's harm rate against a tolerance.</summary>
    HarmTolerance,

    /// <summary>A safeguard's efficacy: the share of harms it prevents.</summary>
    SafeguardEfficacy,
}

/// <summary>A pilot in a few areas: candidate areas, designs, durations, outcomes, target power and alpha.</summary>
public sealed record PilotSpec(
    ImmutableArray<string> Areas,
    ImmutableArray<string> Designs,
    ImmutableArray<long> DurationsMonths,
    ImmutableArray<PilotOutcomeSpec> Outcomes,
    Parameter Power,
    Parameter Alpha,
    SourcePosition Position)
{
    /// <summary>What evaluating the pilot costs per local authority (or area) in it, GBP; 0 when the section declares none.</summary>
    public Parameter? EvaluationCostPerArea { get; init; }
}

/// <summary>One outcome to detect.</summary>
public sealed record PilotOutcomeSpec(
    string Id,
    PilotOutcomeKind Kind,
    string? Metric,
    Parameter? MinimumEffect,
    string? Group,
    Parameter? Tolerance,
    string? Safeguard,
    SourcePosition Position);
