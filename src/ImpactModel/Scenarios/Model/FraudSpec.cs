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
    SourcePosition Position)
{
    /// <summary>How much of an established debt is recovered and when (as declared, or all of it in the year it is raised).</summary>
    public RecoverySpec Recovery { get; init; } = RecoverySpec.InFull;
}

/// <summary>
/// How debts are recovered: the share of an established debt eventually recovered, and the shares
/// of that amount received in the year the debt is raised and each year after (adding to 1).
/// </summary>
/// <param name="Rate">Share of a debt eventually recovered, in [0, 1].</param>
/// <param name="Timing">Shares of what is recovered received 0, 1, 2, … years after the debt is raised; they add to 1.</param>
/// <param name="TimingSource">Where the timing comes from, or null.</param>
public sealed record RecoverySpec(Parameter Rate, ImmutableArray<double> Timing, string? TimingSource)
{
    /// <summary>Every debt recovered in full in the year it is raised (the engine's convention when a scenario says nothing).</summary>
    public static readonly RecoverySpec InFull = new(
        Parameter.EngineDefault("fraud.recovery.rate", 1, ParameterKind.Probability, default, "every debt recovered in full"), [1], null);
}

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
