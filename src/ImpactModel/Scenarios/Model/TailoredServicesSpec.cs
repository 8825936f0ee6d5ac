using System.Collections.Immutable;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Model;

/// <summary>What the service does for the people it identifies.</summary>
public enum ServiceAction
{
    /// <summary>The body contacts the people identified; some respond and take the service up.</summary>
    ProactiveContact,

    /// <summary>The people identified are enrolled unless they opt out.</summary>
    AutomaticEnrolment,
}

/// <summary>
/// The tailored public services strand: a true need with a status-quo take-up by
/// self-application, a proactive identification rule over linked data, the action taken, and
/// the groups the data cannot see at all.
/// </summary>
public sealed record TailoredServicesSpec(
    string Service,
    NeedSpec Need,
    GroupValues StatusQuoTakeUp,
    Parameter ApplicationCost,
    IdentificationSpec Identification,
    ImmutableArray<string> UnidentifiableGroups,
    ServiceAction Action,
    GroupValues Response,
    Parameter ContactCost,
    GroupValues OptOut,
    Parameter BenefitPerPersonReached,
    Parameter AnnualRunningCost,
    Parameter? IntrusionValuation,
    SourcePosition Position)
{
    /// <summary>Below this best achievable recall a group is reported as not identifiable from the data (a setting; default 5%).</summary>
    public double IdentifiableRecall { get; init; } = 0.05;
}

/// <summary>Who truly needs or is eligible for the service: prevalence by group, income and area.</summary>
public sealed record NeedSpec(string Description, GroupValues Prevalence, Parameter IncomeGradient, ImmutableArray<AreaOddsRatio> AreaOddsRatios)
{
    /// <summary>The standard deviation of local-authority effects on the need's log-odds (normal, drawn per replicate), or null for none.</summary>
    public Parameter? LocalAuthorityVariation { get; init; }
}

/// <summary>
/// The proactive identification rule over linked data: the sources and linkages it uses, the proxy
/// for need, and its accuracy for people the data can see (sensitivity and false-positive rate by group).
/// </summary>
public sealed record IdentificationSpec(
    ImmutableArray<string> Sources,
    ImmutableArray<string> Linkages,
    string Proxy,
    GroupValues Sensitivity,
    GroupValues FalsePositiveRate,
    bool SensitiveInference);
