using System.Collections.Immutable;
using System.Globalization;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Reading;

public sealed partial class NodeReader
{
    private static readonly string[] ParameterKeys = ["value", "source", "grade", "note", "fixed", "reason"];
    private static readonly string[] GroupValueKeys = ["base", "by_group", "source", "grade", "note", "fixed", "reason"];

    /// <summary>
    /// How single numbers spread by their grade in what is being read (<see cref="UncertaintySettings"/>):
    /// the scenario's <c>uncertainty:</c>, or a population's own while its parameters are read.
    /// </summary>
    public UncertaintySettings Spreads { get; set; } = UncertaintySettings.Default;

    /// <summary>
    /// A numeric parameter written as a number, a distribution, or
    /// <c>{ value: ..., source: ..., grade: ... }</c>; checked against the range of its kind.
    /// </summary>
    /// <param name="node">The parameter's node.</param>
    /// <param name="path">Its dotted path.</param>
    /// <param name="kind">Its range.</param>
    /// <param name="inherited">The evidence of an enclosing by-group mapping.</param>
    /// <param name="traits">What the parameter is besides its value (a design choice, held fixed by an enclosing mapping, drawn with another's counter).</param>
    public Parameter? Parameter(YamlNode? node, string path, ParameterKind kind, Evidence? inherited = null, ParameterTraits traits = default)
    {
        if (node is null)
            return null;
        Evidence evidence = inherited ?? Evidence.None;
        string? fixedReason = traits.FixedReason;
        // Registered even if the value below is wrong, so that an override naming it is not a second error.
        Targets.TryAdd(path, new OverrideTarget(path, kind, null, node.Position));
        YamlNode valueNode = node;
        if (node is YamlMapping)
        {
            YamlMapping? map = Mapping(node, path, ParameterKeys);
            evidence = ReadEvidence(map!, path, evidence);
            Text(Optional(map, "note"), Join(path, "note"));
            fixedReason = FixedReason(map!, path) ?? fixedReason;
            valueNode = Required(map, path, "value")!;
            if (valueNode is null)
                return null;
        }

        if (valueNode is not YamlScalar { IsNull: false } scalar)
        {
            Error(valueNode, path, valueNode is YamlScalar
                ? "missing value"
                : $"expected a number or a distribution such as beta(2, 50), got {valueNode.KindName}");
            return null;
        }

        var (distribution, problem) = DistributionParser.Parse(scalar.Value);
        if (distribution is null)
        {
            if (scalar.IsPlain && scalar.Value.Contains('(', StringComparison.Ordinal) && !scalar.Value.Contains(')', StringComparison.Ordinal))
                problem = $"'{scalar.Value}' looks like a distribution cut at a comma inside {{ }}: quote it there, e.g. value: \"{scalar.Value}, ...)\", or write it on its own line";
            Error(scalar, path, problem!);
            return null;
        }

        if (RangeProblem(distribution, kind) is { } rangeProblem)
        {
            Error(scalar, path, rangeProblem);
            return null;
        }

        Targets[path] = new OverrideTarget(path, kind, null, scalar.Position);
        return new Parameter(distribution, evidence, path, scalar.Position)
        {
            Kind = kind,
            Spread = distribution is FixedValue f && fixedReason is null && !traits.Choice && UncertaintySettings.Moves(f.Value, kind)
                ? Spreads.For(evidence.Grade)
                : 0,
            FixedReason = fixedReason,
            IsChoice = traits.Choice,
            DrawPath = traits.DrawPath ?? path,
        };
    }

    /// <summary>
    /// The reason of <c>fixed: true</c> (required with it), or null when the value is not held fixed;
    /// a reason without <c>fixed: true</c> is an error, since it would explain nothing.
    /// </summary>
    private string? FixedReason(YamlMapping map, string path)
    {
        bool? isFixed = Optional(map, "fixed") is { } f ? Bool(f, Join(path, "fixed")) : null;
        string? reason = Optional(map, "reason") is { } r ? Text(r, Join(path, "reason")) : null;
        if (isFixed == true && string.IsNullOrWhiteSpace(reason))
        {
            Error(map.KeyNode("fixed")!, Join(path, "fixed"), "'fixed: true' needs a 'reason:' saying why this value is not uncertain");
            return "(no reason given)";
        }

        if (isFixed != true && reason is not null)
            Error(map.KeyNode("reason")!, Join(path, "reason"), "'reason:' explains 'fixed: true', which is not set here");
        return isFixed == true ? reason : null;
    }

    /// <summary>A required parameter; missing is an error at the enclosing mapping.</summary>
    public Parameter? RequiredParameter(YamlMapping? map, string path, string key, ParameterKind kind, ParameterTraits traits = default) =>
        Parameter(Required(map, path, key), Join(path, key), kind, traits: traits);

    /// <summary>An optional parameter with a default that is recorded as an assumption of the engine.</summary>
    public Parameter OptionalParameter(YamlMapping? map, string path, string key, ParameterKind kind, double fallback, ParameterTraits traits = default)
    {
        string p = Join(path, key);
        if (Optional(map, key) is { } node)
            return Parameter(node, p, kind, traits: traits) ?? Default(p, fallback, map, kind, traits);
        Parameter d = Default(p, fallback, map, kind, traits);
        Targets[p] = new OverrideTarget(p, kind, null, d.Position);
        return d;
    }

    /// <summary>
    /// The engine's default for a parameter the scenario leaves out: held as written (an engine
    /// default is a convention, e.g. "no false clearances", not evidence to spread), and said so.
    /// </summary>
    private static Parameter Default(string path, double value, YamlNode? near, ParameterKind kind, ParameterTraits traits) =>
        Model.Parameter.EngineDefault(path, value, kind, near?.Position ?? default) with
        {
            IsChoice = traits.Choice,
            DrawPath = traits.DrawPath ?? path,
        };

    /// <summary>
    /// A parameter that may differ by group: a plain parameter (the same for everyone), or
    /// <c>{ base: ..., by_group: { group-id: ... }, source: ..., grade: ... }</c>.
    /// Group ids are checked later against the population (see <see cref="GroupReferences"/>).
    /// </summary>
    public GroupValues? ByGroup(YamlNode? node, string path, ParameterKind kind, ParameterTraits traits = default)
    {
        if (node is null)
            return null;
        if (node is not YamlMapping map || map["value"] is not null)
        {
            Parameter? single = Parameter(node, path, kind, traits: traits);
            Targets[Join(path, "base")] = Targets[path];
            if (single is null)
                return null;
            return new GroupValues(single, []);
        }

        Mapping(map, path, GroupValueKeys);
        Evidence evidence = ReadEvidence(map, path, Evidence.None);
        Text(Optional(map, "note"), Join(path, "note"));
        // fixed: true on the mapping holds the base and every group's value; every group's value
        // is drawn with the base's counter, so that spread by grade they move together.
        string basePath = Join(path, "base");
        traits = traits with { FixedReason = FixedReason(map, path) ?? traits.FixedReason, DrawPath = basePath };
        Parameter? baseValue = Parameter(Required(map, path, "base"), basePath, kind, evidence, traits);
        var groups = ImmutableArray.CreateBuilder<GroupParameter>();
        if (Optional(map, "by_group") is { } byGroup)
        {
            string groupsPath = Join(path, "by_group");
            if (byGroup is not YamlMapping groupMap)
            {
                Error(byGroup, groupsPath, $"expected a mapping of group id to value, got {byGroup.KindName}");
            }
            else
            {
                foreach (var entry in groupMap.Entries)
                {
                    string groupPath = Join(groupsPath, entry.Key.Value);
                    if (Id(entry.Key, groupPath, "group id") is not { } group)
                        continue;
                    GroupReferences.Add((group, entry.Key.Position, groupPath));
                    if (Parameter(entry.Value, groupPath, kind, evidence, traits) is { } p)
                        groups.Add(new GroupParameter(group, p));
                }
            }
        }

        return baseValue is null ? null : new GroupValues(baseValue, groups.ToImmutable());
    }

    public GroupValues? RequiredByGroup(YamlMapping? map, string path, string key, ParameterKind kind, ParameterTraits traits = default) =>
        ByGroup(Required(map, path, key), Join(path, key), kind, traits);

    public GroupValues OptionalByGroup(YamlMapping? map, string path, string key, ParameterKind kind, double fallback, ParameterTraits traits = default)
    {
        if (Optional(map, key) is { } node && ByGroup(node, Join(path, key), kind, traits) is { } values)
            return values;
        return new GroupValues(OptionalParameter(null, path, key, kind, fallback, traits), []);
    }

    /// <summary>
    /// The scenario's or population's <c>uncertainty:</c> mapping (σ by grade, each in [0, 3]), or the
    /// engine's defaults for a grade it leaves out (<see cref="UncertaintySettings.Default"/>).
    /// </summary>
    public UncertaintySettings ReadUncertainty(YamlNode? node, string path)
    {
        if (node is null)
            return UncertaintySettings.Default;
        if (Mapping(node, path, [.. UncertaintySettings.Keys]) is not { } map)
            return UncertaintySettings.Default;
        double Sigma(string key, double fallback)
        {
            if (Optional(map, key) is not { } n)
                return fallback;
            string p = Join(path, key);
            if (n is YamlScalar { IsNull: false } sc && double.TryParse(sc.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
                && v >= 0 && v <= MaxSpread)
                return v;
            Error(n, p, $"expected a spread (σ) from 0 to {F(MaxSpread)}, e.g. 0.3; 0 holds values of this grade as written");
            return fallback;
        }

        return new UncertaintySettings(Sigma(UncertaintySettings.AssumptionKey, UncertaintySettings.Default.Assumption),
            Sigma(UncertaintySettings.ExpertJudgementKey, UncertaintySettings.Default.ExpertJudgement));
    }

    /// <summary>The largest spread a scenario may set: σ 3 on the log scale is already a factor of 20 either way.</summary>
    public const double MaxSpread = 3;

    /// <summary>Every group id named in a <c>by_group</c>, to be checked once the population is known.</summary>
    public List<(string Group, SourcePosition At, string Path)> GroupReferences { get; } = [];

    /// <summary>Records a non-numeric setting that a variant may override (e.g. <c>fraud.matching.comparison</c>).</summary>
    public void Setting(string path, IReadOnlyList<string> allowed, YamlNode? node) =>
        Targets[path] = new OverrideTarget(path, null, allowed, node?.Position ?? default);

    private Evidence ReadEvidence(YamlMapping map, string path, Evidence inherited)
    {
        string? source = inherited.Source;
        EvidenceGrade grade = inherited.Grade;
        if (Optional(map, "source") is { } s && Text(s, Join(path, "source")) is { } text)
            source = text;
        if (Optional(map, "grade") is { } g
            && Choice(g, Join(path, "grade"), Evidence.GradeIds, "evidence grade") is { } id)
            grade = ParseGrade(id);
        return new Evidence(source, grade);
    }

    public static EvidenceGrade ParseGrade(string id) => id switch
    {
        "published-statistic" => EvidenceGrade.PublishedStatistic,
        "survey-estimate" => EvidenceGrade.SurveyEstimate,
        "expert-judgement" => EvidenceGrade.ExpertJudgement,
        _ => EvidenceGrade.Assumption,
    };

    /// <summary>Why a value or distribution does not fit the range of its kind, with a better choice where one exists.</summary>
    public static string? RangeProblem(Distribution d, ParameterKind kind)
    {
        ArgumentNullException.ThrowIfNull(d);
        (double lo, double hi, bool openLow, string range) = Range(kind);
        bool fits = d.SupportMin >= lo && d.SupportMax <= hi && !(openLow && d is FixedValue { Value: <= 0 });
        if (fits)
            return null;
        if (d is FixedValue f)
            return $"must be in {range}, got {f.Value.ToString("R", CultureInfo.InvariantCulture)}";

        string suggestion = kind switch
        {
            ParameterKind.Probability => BetaSuggestion(d),
            _ when double.IsFinite(hi) && d.SupportMax > hi =>
                $"; use a distribution bounded above, e.g. triangular(min, mode, max) or uniform(a, b), with its maximum at most {F(hi)}",
            _ => d.Mean > 0 && d is NormalDistribution n
                ? $"; use lognormal({F(n.MeanValue)}, {F(n.StandardDeviation)}), which cannot go below 0"
                : "; use lognormal(mean, sd) for a positive amount",
        };
        return $"{d} can take values outside {range}{suggestion}";
    }

    /// <summary>
    /// The range of each kind. A bounded kind takes its bound from the model that enforces it
    /// (one source of truth), so a scenario that loads is one the model accepts.
    /// </summary>
    public static (double Low, double High, bool OpenLow, string Text) Range(ParameterKind kind) => kind switch
    {
        ParameterKind.Probability => (0.0, 1.0, false, "[0, 1]"),
        ParameterKind.Money => (0.0, double.PositiveInfinity, false, "[0, ∞) GBP"),
        ParameterKind.NonNegative => (0.0, double.PositiveInfinity, false, "[0, ∞)"),
        ParameterKind.Ratio => (0.0, double.PositiveInfinity, true, "(0, ∞)"),
        ParameterKind.PoissonMean => (0.0, ImpactModel.Random.Philox.PoissonMeanLimit, false,
            $"[0, {F(ImpactModel.Random.Philox.PoissonMeanLimit)}] (the engine's limit for a mean count)"),
        _ => (double.NegativeInfinity, double.PositiveInfinity, false, "(-∞, ∞)"),
    };

    /// <summary>
    /// For a by-group value of a bounded kind other than a probability (probabilities combine on
    /// the odds scale and stay in [0, 1]): the largest value the model's combination rule
    /// (<see cref="Population.GroupValueTable"/>) can give a person in several listed groups, from
    /// the base at its smallest and each group's value at its largest, or why it cannot be
    /// bounded; null when every combination stays in range. <paramref name="resolve"/> gives a
    /// parameter's value as a variant sees it.
    /// </summary>
    public static string? CombinedProblem(GroupValues values, ParameterKind kind, Func<Parameter, Distribution> resolve)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(resolve);
        (_, double hi, _, string range) = Range(kind);
        if (kind == ParameterKind.Probability || !double.IsFinite(hi) || values.ByGroup.Length < 2
            || values.ByGroup.Length > Population.GroupValueTable.MaxGroups)
            return null;

        // The rule itself, fed the extremes: base × Π(group / base) grows as the base shrinks.
        string[] groups = [.. values.ByGroup.Select(g => g.Group)];
        double[] table = Population.GroupValueTable.Build(values, groups,
            p => ReferenceEquals(p, values.Base) ? resolve(p).SupportMin : resolve(p).SupportMax, probability: false);
        int worst = -1;
        for (int mask = 0; mask < table.Length; mask++)
        {
            if (!(table[mask] <= hi) && (worst < 0 || !(table[mask] <= table[worst])))
                worst = mask;
        }

        if (worst < 0)
            return null;
        string names = string.Join(" and ", groups.Where((_, g) => (worst & (1 << g)) != 0).Select(g => $"'{g}'"));
        string value = double.IsNaN(table[worst]) || double.IsPositiveInfinity(table[worst])
            ? "is unbounded (the base can be 0, so the groups' ratios to it are infinite)"
            : $"can reach {F(table[worst])}";
        return $"a person in groups {names} takes base × each group's ratio to the base, which {value}; it must stay in {range}: " +
               "lower the groups' values or raise the base's smallest value";
    }

    private static string BetaSuggestion(Distribution d)
    {
        double mean = d.Mean;
        double variance = d switch
        {
            NormalDistribution n => n.StandardDeviation * n.StandardDeviation,
            LogNormalDistribution l => l.StandardDeviation * l.StandardDeviation,
            UniformDistribution u => (u.Max - u.Min) * (u.Max - u.Min) / 12,
            TriangularDistribution t => (t.Min * t.Min + t.Mode * t.Mode + t.Max * t.Max - t.Min * t.Mode - t.Min * t.Max - t.Mode * t.Max) / 18,
            _ => 0,
        };
        if (mean > 0 && mean < 1 && variance > 0 && variance < mean * (1 - mean))
        {
            // Method of moments: alpha + beta = mean(1 - mean)/variance - 1.
            double total = mean * (1 - mean) / variance - 1;
            return $"; use a beta distribution for a probability, e.g. beta({F(Math.Round(mean * total, 3))}, {F(Math.Round((1 - mean) * total, 3))}) with the same mean and spread";
        }

        return "; use beta(alpha, beta) for a probability: it stays in [0, 1]";
    }

    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
