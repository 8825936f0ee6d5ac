using System.Collections.Immutable;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Model;

/// <summary>How the proposal compares declared earnings with the other body's record.</summary>
public enum EarningsComparison
{
    /// <summary>The record's annual total spread evenly over months: misreads lumpy, irregular earnings.</summary>
    AnnualAverage,

    /// <summary>The record for the same period as the claim: no averaging.</summary>
    PeriodMatched,
}

/// <summary>The fraud, error and debt strand: claimants, true states, today's checks, the matching rule, actions and responses.</summary>
public sealed record FraudSpec(
    string Benefit,
    ClaimantsSpec Claimants,
    ImmutableArray<TrueStateSpec> TrueStates,
    ImmutableArray<CheckSpec> StatusQuoChecks,
    MatchingSpec Matching,
    ActionsSpec Actions,
    ResponsesSpec Responses,
    HardshipSpec Hardship,
    SourcePosition Position);

/// <summary>Who claims: a share of the population by group, higher at low income, and the source holding their claims.</summary>
public sealed record ClaimantsSpec(string Records, GroupValues Share, Parameter IncomeGradient, Parameter MonthlyAward);

/// <summary>
/// One of the error states (claimant error, official error, fraud); the correct state is the
/// remainder. Prevalence is the share of claims in this state; overpayment is GBP per year per case.
/// </summary>
public sealed record TrueStateSpec(string Id, GroupValues Prevalence, Parameter AnnualOverpayment, SourcePosition Position);

/// <summary>A check that already runs today (the status quo).</summary>
public sealed record CheckSpec(string Id, string? Description, GroupValues DetectionRate, GroupValues FalseReferralRate, Parameter CostPerCase, SourcePosition Position);

/// <summary>The proposal's data-matching rule.</summary>
public sealed record MatchingSpec(
    string Linkage,
    EarningsComparison Comparison,
    Parameter FlagThreshold,
    GroupValues EarnersShare,
    Parameter MonthlyEarnings,
    GroupValues EarningsVariation,
    Parameter UndeclaredShare,
    SourcePosition Position);

/// <summary>What follows a flag.</summary>
public sealed record ActionsSpec(Parameter LetterCost, Parameter SuspensionShare, Parameter SuspensionCost, Parameter DebtCost, Parameter InvestigationCost);

/// <summary>How people respond to adverse actions, by group.</summary>
public sealed record ResponsesSpec(GroupValues RespondToLetter, GroupValues Appeal, Parameter AppealSuccessWhenWrong, Parameter AppealCost, Parameter DaysToResolution);

/// <summary>Who is put in hardship by a wrongful adverse action, and, only where sourced, its value in money.</summary>
public sealed record HardshipSpec(GroupValues ShareOfWrongfulActions, Parameter? Valuation);
