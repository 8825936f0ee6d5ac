using ImpactModel.Scenarios.Model;

namespace ImpactModel.Safeguards;

/// <summary>A mechanism parameter a safeguard type takes.</summary>
public sealed record SafeguardParameter(string Name, ParameterKind Kind, bool Required, double Default, string Meaning, bool Choice = false);

/// <summary>A type of safeguard: what it does, where it can act, and which data-protection principles it serves.</summary>
public sealed record SafeguardType(
    string Id,
    string Mechanism,
    IReadOnlyList<string> Strands,
    IReadOnlyList<string> DefaultPrinciples,
    IReadOnlyList<SafeguardParameter> Parameters,
    bool TakesGroups,
    bool TakesLevels = false);

/// <summary>
/// The typed safeguards the scenario language knows. Each acts in one or more strands through a
/// mechanism; its costs are counted in the net benefit. A type lists exactly the strands that have a
/// mechanism for it: the loader refuses it anywhere else (at the safeguard's position), and each
/// strand's model checks at start that its mechanisms are these (StrandKit.SafeguardMechanisms).
/// </summary>
public static class SafeguardCatalogue
{
    /// <summary>The data-protection principles (UK GDPR Article 5) a safeguard may serve.</summary>
    public static readonly IReadOnlyList<string> Principles =
    [
        "lawfulness", "purpose-limitation", "minimisation", "accuracy", "storage-limitation", "security", "accountability",
    ];

    public static readonly IReadOnlyList<SafeguardType> Types =
    [
        new("human-review",
            "a person checks each flag before any adverse action; catches a share of wrongful flags",
            [StrandIds.Fraud], ["accuracy", "lawfulness"],
            [
                new("catch_rate", ParameterKind.Probability, true, 0, "share of wrongful flags the reviewer stops before action"),
                new("cost_per_case", ParameterKind.Money, true, 0, "GBP per flag reviewed"),
                new("false_clearance_rate", ParameterKind.Probability, false, 0, "share of true cases the reviewer wrongly clears (the overpayment is then missed)"),
            ], TakesGroups: false),
        new("minimum-evidence-standard",
            "no adverse action on averaged or inferred figures: earnings are compared period by period",
            [StrandIds.Fraud], ["accuracy"],
            [
                new("cost_per_case", ParameterKind.Money, false, 0, "GBP per flag for obtaining period-matched evidence"),
            ], TakesGroups: false),
        new("vulnerability-screen",
            "flags on persons in the listed groups are detected with some probability and routed to a person instead of automatic action",
            [StrandIds.Fraud], ["lawfulness", "accuracy"],
            [
                new("detection_rate", ParameterKind.Probability, true, 0, "share of listed-group members the screen identifies"),
                new("cost_per_case", ParameterKind.Money, false, 0, "GBP per screened flag"),
            ], TakesGroups: true),
        new("higher-threshold",
            "flags only discrepancies above a higher threshold, trading missed overpayments for fewer false flags",
            [StrandIds.Fraud], ["accuracy", "minimisation"],
            [
                new("flag_threshold", ParameterKind.Money, true, 0, "GBP per month of discrepancy below which nothing is flagged", Choice: true),
            ], TakesGroups: false),
        new("notification-and-appeal",
            "every adverse action comes with notice and a simple route to appeal, raising the share who appeal",
            [StrandIds.Fraud], ["lawfulness", "accountability"],
            [
                new("appeal_rate", ParameterKind.Probability, true, 0, "share of persons with an adverse action who appeal"),
                new("cost_per_case", ParameterKind.Money, false, 0, "GBP per notice sent"),
            ], TakesGroups: false),
        new("sanctions-and-audit",
            "audit of use and sanctions for misuse; counted in costs (no behavioural effect is modelled in this strand)",
            [StrandIds.Fraud, StrandIds.TailoredServices, StrandIds.Research], ["accountability", "security"],
            [], TakesGroups: false),

        // Tailored public services and research.
        new("opt-out",
            "people may opt out of their data being used; those who do are neither contacted nor released",
            [StrandIds.TailoredServices, StrandIds.Research], ["lawfulness", "purpose-limitation"],
            [new("opt_out_rate", ParameterKind.Probability, true, 0, "share of people who opt out")], TakesGroups: false),
        new("consent",
            "data are used only for people who consent, instead of automatically",
            [StrandIds.TailoredServices, StrandIds.Research], ["lawfulness"],
            [new("consent_rate", ParameterKind.Probability, true, 0, "share of people who give consent")], TakesGroups: false),
        new("data-minimisation",
            "only the fields the purpose needs are shared; removes a share of sensitive inferences (in research, generalisation is how identifying detail is removed)",
            [StrandIds.TailoredServices], ["minimisation"],
            [
                new("reduction", ParameterKind.Probability, true, 0, "share of sensitive inferences or identifying detail removed"),
                new("sensitivity_loss", ParameterKind.Probability, false, 0, "share of the rule's sensitivity lost with the removed detail (tailored services)"),
            ], TakesGroups: false),
        new("sensitive-category-exclusion",
            "people in the listed groups are excluded from sensitive inferences and from released extracts",
            [StrandIds.TailoredServices, StrandIds.Research], ["lawfulness", "minimisation"],
            [], TakesGroups: true),
        new("outreach-channel",
            "a non-data route (advice agencies, outreach workers) reaches a share of eligible people in the listed data-poor groups",
            [StrandIds.TailoredServices], ["lawfulness"],
            [
                new("reach_rate", ParameterKind.Probability, true, 0, "share of eligible listed-group members the channel reaches"),
                new("cost_per_case", ParameterKind.Money, false, 0, "GBP per person reached"),
            ], TakesGroups: true),
        new("generalisation",
            "quasi-identifiers are released at coarser levels of detail (e.g. age in 10-year bands, region instead of local authority)",
            [StrandIds.Research], ["minimisation"],
            [], TakesGroups: false, TakesLevels: true),
        new("suppression",
            "cells or equivalence classes smaller than the threshold are suppressed",
            [StrandIds.Research], ["minimisation", "security"],
            [new("threshold", ParameterKind.NonNegative, true, 0, "smallest count released (k)", Choice: true)], TakesGroups: false),
        new("noise",
            "noise calibrated to a privacy budget (differential privacy) is added to released statistics",
            [StrandIds.Research], ["security", "minimisation"],
            [new("epsilon", ParameterKind.Ratio, true, 0, "privacy budget epsilon per release; smaller is more private", Choice: true)], TakesGroups: false),
        new("trusted-research-environment",
            "record-level data stay inside a secure environment that accredited researchers use; prevents a share of attack attempts",
            [StrandIds.Research], ["security", "accountability"],
            [
                new("access_reduction", ParameterKind.Probability, true, 0, "share of attack attempts the environment prevents"),
                new("knowledge_reduction", ParameterKind.Probability, false, 0,
                    "share by which an attempt's success falls because outside data cannot be brought into the environment"),
            ], TakesGroups: false),
        new("output-checking",
            "every output leaving the environment is checked for disclosure risk",
            [StrandIds.Research], ["security"],
            [new("catch_rate", ParameterKind.Probability, true, 0, "share of disclosive outputs stopped (re-identifications leaving a secure environment; disclosive cells of a table)")], TakesGroups: false),
        new("accreditation",
            "only accredited researchers under sanctions for misuse may use the data; deters a share of attackers",
            [StrandIds.Research], ["accountability", "security"],
            [new("deterrence", ParameterKind.Probability, true, 0, "share of would-be attackers deterred")], TakesGroups: false),
    ];

    public static SafeguardType? Find(string id)
    {
        foreach (var t in Types)
        {
            if (t.Id == id)
                return t;
        }

        return null;
    }
}
