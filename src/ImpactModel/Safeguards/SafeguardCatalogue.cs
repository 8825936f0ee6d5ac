using ImpactModel.Scenarios.Model;

namespace ImpactModel.Safeguards;

/// <summary>A mechanism parameter a safeguard type takes.</summary>
public sealed record SafeguardParameter(string Name, ParameterKind Kind, bool Required, double Default, string Meaning);

/// <summary>A type of safeguard: what it does, where it can act, and which data-protection principles it serves.</summary>
public sealed record SafeguardType(
    string Id,
    string Mechanism,
    IReadOnlyList<string> Strands,
    IReadOnlyList<string> DefaultPrinciples,
    IReadOnlyList<SafeguardParameter> Parameters,
    bool TakesGroups);

/// <summary>
/// The typed safeguards the scenario language knows. Each acts in one or more strands through a
/// mechanism; its costs are counted in the net benefit. The next issues add the tailored-services
/// and research safeguards here.
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
            [Strands.Fraud], ["accuracy", "lawfulness"],
            [
                new("catch_rate", ParameterKind.Probability, true, 0, "share of wrongful flags the reviewer stops before action"),
                new("cost_per_case", ParameterKind.Money, true, 0, "GBP per flag reviewed"),
            ], TakesGroups: false),
        new("minimum-evidence-standard",
            "no adverse action on averaged or inferred figures: earnings are compared period by period",
            [Strands.Fraud], ["accuracy"],
            [
                new("cost_per_case", ParameterKind.Money, false, 0, "GBP per flag for obtaining period-matched evidence"),
            ], TakesGroups: false),
        new("vulnerability-screen",
            "flags on persons in the listed groups are detected with some probability and routed to a person instead of automatic action",
            [Strands.Fraud], ["lawfulness", "accuracy"],
            [
                new("detection_rate", ParameterKind.Probability, true, 0, "share of listed-group members the screen identifies"),
                new("cost_per_case", ParameterKind.Money, false, 0, "GBP per screened flag"),
            ], TakesGroups: true),
        new("higher-threshold",
            "flags only discrepancies above a higher threshold, trading missed overpayments for fewer false flags",
            [Strands.Fraud], ["accuracy", "minimisation"],
            [
                new("flag_threshold", ParameterKind.Money, true, 0, "GBP per month of discrepancy below which nothing is flagged"),
            ], TakesGroups: false),
        new("notification-and-appeal",
            "every adverse action comes with notice and a simple route to appeal, raising the share who appeal",
            [Strands.Fraud], ["lawfulness", "accountability"],
            [
                new("appeal_rate", ParameterKind.Probability, true, 0, "share of persons with an adverse action who appeal"),
                new("cost_per_case", ParameterKind.Money, false, 0, "GBP per notice sent"),
            ], TakesGroups: false),
        new("sanctions-and-audit",
            "audit of use and sanctions for misuse; counted in costs (no behavioural effect is modelled in this strand)",
            [Strands.Fraud, Strands.TailoredServices, Strands.Research], ["accountability", "security"],
            [], TakesGroups: false),
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
