using System.CommandLine;
using System.Globalization;
using ImpactModel.Pilot;
using ImpactModel.Worker.Cli;

namespace ImpactModel.Worker.Commands;

/// <summary>
/// <c>impact power proportions|tolerance|poisson|cluster</c>: analytic pilot sizing from numbers alone
/// (issue 11). The math is in <c>ImpactModel.Pilot</c>; this is parsing, validation and printing.
/// </summary>
public static class PowerCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("power",
            "Size a pilot from numbers alone: how many people, person-years or areas a pilot needs to detect an effect, " +
            "or what a pilot of a given size can detect. See docs/pilot-design.md for the formulas and a worked example.");
        command.Subcommands.Add(Proportions(console));
        command.Subcommands.Add(Tolerance(console));
        command.Subcommands.Add(Poisson(console));
        command.Subcommands.Add(Cluster(console));
        return command;
    }

    // Every numeric option is made by CommonOptions, the one place that parses numbers: a value that
    // is not a number of the option's kind is one line naming the option, never a .NET type name.
    // The ranges of real values are the engine's own checks (PowerInputException names the option).

    private static Option<double> AlphaOption() => CommonOptions.Real("--alpha",
        "Chance of a false alarm: of declaring an effect when there is none (the significance level). 0.05 means 1 pilot in 20 would.",
        "A", 0.05);

    private static Option<double> PowerOption() => CommonOptions.Real("--power",
        "Chance the pilot detects the effect if it is real. Without the size option it is the target the size must reach; " +
        "with it, the target for the smallest detectable effect. Must be above --alpha.",
        "X", 0.8);

    private static Option<int> SidesOption() => CommonOptions.Whole("--sides",
        "2 (default): the pilot would report a change in either direction, better or worse. " +
        "1: only a change in the stated direction counts (smaller pilot, but blind to the opposite).",
        "1|2", 1, 2, defaultValue: 2);

    /// <summary>
    /// A count of people or areas the pilot has: a whole number from 1 (the engine explains why some
    /// designs need more) to the largest population the engine models, since a pilot's people, and
    /// the areas they live in, are part of a population.
    /// </summary>
    private static Option<long?> Count(string name, string description, string helpName) =>
        CommonOptions.Whole(name, description, helpName, 1L, Limits.MaxPopulation);

    private static Option<bool> JsonOption() => new("--json")
    {
        Description = "Write exactly one JSON object to stdout instead of the table (warnings also go to stderr).",
    };

    private static Option<double> Proportion(string name, string description) => CommonOptions.RequiredReal(name, description, "P");

    private static Command Proportions(CliConsole console)
    {
        var p1 = Proportion("--p1", "Share of people with the outcome without the change (control arm), e.g. 0.20 for 20%. Strictly between 0 and 1.");
        var p2 = CommonOptions.Real("--p2",
            "Share expected with the change (pilot arm), e.g. 0.25. Strictly between 0 and 1; must differ from --p1 to find a size. " +
            "Required, except with --solve effect (which finds it).", "P");
        var n = CommonOptions.Real("--n",
            "People per arm the pilot can have. Given: report the power for --p2 and the smallest detectable difference. Omitted: find the people per arm needed.",
            "N");
        var n1 = CommonOptions.Real("--n1", "People in arm 1 (the --p1 arm) when the arms differ in size; give with --n2 instead of --n.", "N1");
        var n2 = CommonOptions.Real("--n2", "People in arm 2 (the --p2 arm); give with --n1.", "N2");
        var ratio = CommonOptions.Real("--ratio",
            "Allocation ratio n2/n1 when solving for the size (default 1, equal arms): e.g. 3 puts three people in arm 2 for each in arm 1. " +
            "Reports n1 and n2 = ratio x n1, each rounded up. Must be positive.", "K");
        var solve = new Option<string?>("--solve")
        {
            Description = "What to find: size (default without --n/--n1), power (default with them), " +
                          "effect (the smallest detectable p2 on either side of --p1, and Cohen's h for arcsine, at --power; needs sizes, not --p2), " +
                          "or alpha (the false-alarm rate at which the sizes reach --power at --p2; needs sizes, not --alpha).",
            HelpName = "size|power|effect|alpha",
        };
        var direction = new Option<string?>("--direction")
        {
            Description = "With --solve effect: the detectable p2 above --p1 (up), below it (down), or both (default).",
            HelpName = "up|down|both",
        };
        var strict = new Option<bool>("--strict")
        {
            Description = "Pooled, two-sided: count both rejection tails in the power (a pilot can also 'detect' a change in the wrong direction), " +
                          "as R's power.prop.test(strict = TRUE). Without it only the tail in the direction of the effect counts. Slightly smaller sizes.",
        };
        var correction = new Option<bool>("--continuity-correction")
        {
            Description = "Pooled: apply Fleiss's continuity correction (Fleiss, Tytun and Ury with unequal arms), for a pilot analysed with " +
                          "the continuity-corrected chi-squared test. Larger sizes, less power.",
        };
        var method = new Option<string>("--method")
        {
            Description = "pooled (default): normal approximation with pooled variance, as R's power.prop.test. " +
                          "arcsine: Cohen's h on the arcsine scale, as R's pwr::pwr.2p.test.",
            DefaultValueFactory = _ => "pooled",
            HelpName = "pooled|arcsine",
        };
        Option<double> alpha = AlphaOption(), power = PowerOption();
        Option<int> sides = SidesOption();
        Option<bool> json = JsonOption();
        var command = new Command("proportions",
            "Two independent groups (individually randomised): how many people per arm to detect a change in the share " +
            "with an outcome from --p1 to --p2, or the power and smallest detectable change of a given --n.")
        {
            p1, p2, n, n1, n2, ratio, solve, direction, method, alpha, power, sides, strict, correction, json,
        };
        command.SetAction(parse => Run(() =>
        {
            ProportionsMethod m = parse.GetValue(method) switch
            {
                "pooled" => ProportionsMethod.Pooled,
                "arcsine" => ProportionsMethod.Arcsine,
                var other => throw new UsageException($"--method must be pooled or arcsine (got '{other}')"),
            };
            bool extended = parse.GetResult(n1) is not null || parse.GetResult(n2) is not null || parse.GetResult(ratio) is not null
                            || parse.GetResult(solve) is not null || parse.GetResult(direction) is not null
                            || parse.GetValue(strict) || parse.GetValue(correction);
            if (extended)
                return ProportionsExtended(console, parse, m, new ProportionsOptions(p1, p2, n, n1, n2, ratio, solve, direction, alpha, power, sides, strict, correction, json));
            if (parse.GetValue(p2) is not { } p2Value)
                throw new UsageException("Option '--p2' is required. (see 'impact --help')"); // the parser's own line, as when --p2 was a required option
            ProportionsResult r = TwoProportions.Solve(m, parse.GetValue(p1), p2Value, parse.GetValue(n),
                Settings(parse, alpha, power, sides));
            var report = Opening("proportions", m == ProportionsMethod.Pooled ? "pooled" : "arcsine", r.Settings)
                .Input("p1", "Share without the change (p1)", r.P1)
                .Input("p2", "Share with the change (p2)", r.P2)
                .Add("solved_for", "Solved for", r.SolvedForN ? "n_per_arm" : "power")
                .Add("n_per_arm", r.SolvedForN ? "People per arm (unrounded)" : "People per arm", r.NPerArm)
                .Add("n_per_arm_ceil", "People per arm (rounded up)", r.NPerArmCeil)
                .Add("power", r.SolvedForN ? "Power (target)" : "Power at p2", r.Power);
            if (!r.SolvedForN)
            {
                report.DetectableP2(r.Settings.Power, r.Mde, r.P2Detectable);
                if (r.Mde is null)
                    report.Warn($"no p2 between 0 and 1 is detected with power {Show(r.Settings.Power)} by {Show(r.NPerArm)} people per arm");
            }

            report.WarnAll(r.Warnings);

            return report.Write(console, parse.GetValue(json));
        }));
        return command;
    }

    /// <summary>The lines every report of a design with two sides opens with: the design, the method, alpha and the sides.</summary>
    private static PowerReport Opening(string design, string method, PowerSettings settings) => new PowerReport()
        .Add("design", "Design", design)
        .Add("method", "Method", method)
        .Input("alpha", "False-alarm rate (alpha)", settings.Alpha)
        .Add("sides", "Sides", settings.Sides);

    /// <summary>The options of <c>power proportions</c>, passed to the extended path as one value.</summary>
    private sealed record ProportionsOptions(
        Option<double> P1, Option<double?> P2, Option<double?> N, Option<double?> N1, Option<double?> N2, Option<double?> Ratio,
        Option<string?> Solve, Option<string?> Direction, Option<double> Alpha, Option<double> Power, Option<int> Sides,
        Option<bool> Strict, Option<bool> Correction, Option<bool> Json);

    /// <summary>
    /// Unequal arms, --solve effect|alpha, --strict and --continuity-correction (issue 22). Calls without any of these
    /// options take the original path above, so their output is unchanged byte for byte.
    /// </summary>
    private static int ProportionsExtended(CliConsole console, ParseResult parse, ProportionsMethod m, ProportionsOptions o)
    {
        double? n = parse.GetValue(o.N), n1 = parse.GetValue(o.N1), n2 = parse.GetValue(o.N2);
        if (n is not null && (n1 is not null || n2 is not null))
            throw new UsageException("--n gives both arms the same size; give --n, or --n1 and --n2, not both");
        if (n1 is null != n2 is null)
            throw new UsageException(n1 is null ? "--n2 needs --n1: give both arms' sizes, or neither" : "--n1 needs --n2: give both arms' sizes, or neither");
        if (n is { } both)
            (n1, n2) = (both, both);
        bool sized = n1 is not null;
        ProportionsUnknown unknown = parse.GetValue(o.Solve) switch
        {
            null => sized ? ProportionsUnknown.Power : ProportionsUnknown.Size,
            "size" => ProportionsUnknown.Size,
            "power" => ProportionsUnknown.Power,
            "effect" => ProportionsUnknown.Effect,
            "alpha" => ProportionsUnknown.Alpha,
            var other => throw new UsageException($"--solve must be size, power, effect or alpha (got '{other}')"),
        };
        if (unknown == ProportionsUnknown.Size && sized)
            throw new UsageException("--solve size finds the arms' sizes; leave out --n, --n1 and --n2 (use --ratio for n2/n1)");
        if (unknown != ProportionsUnknown.Size && !sized)
            throw new UsageException($"--solve {Allocation.Name(unknown)} needs the arms' sizes (--n, or --n1 and --n2): without them two quantities are unknown at once");
        if (parse.GetResult(o.Ratio) is not null && unknown != ProportionsUnknown.Size)
            throw new UsageException("--ratio applies when solving for the size; with given arms, --n1 and --n2 already fix it");
        if (unknown == ProportionsUnknown.Alpha && parse.GetResult(o.Alpha) is { Implicit: false })
            throw new UsageException("--alpha is what --solve alpha finds; leave it out (solving for two quantities at once has no single answer)");
        EffectDirection direction = parse.GetValue(o.Direction) switch
        {
            null or "both" => EffectDirection.Both,
            "up" => EffectDirection.Up,
            "down" => EffectDirection.Down,
            var other => throw new UsageException($"--direction must be up, down or both (got '{other}')"),
        };
        if (parse.GetResult(o.Direction) is not null && unknown != ProportionsUnknown.Effect)
            throw new UsageException("--direction applies only with --solve effect");

        var q = new ProportionsQuestion(m, unknown, parse.GetValue(o.P1), parse.GetValue(o.P2), n1, n2,
            parse.GetValue(o.Ratio) ?? 1, parse.GetValue(o.Strict), parse.GetValue(o.Correction), direction);
        ProportionsAnswer r = Allocation.Solve(q, Settings(parse, o.Alpha, o.Power, o.Sides));
        bool bothTails = m == ProportionsMethod.Arcsine ? r.Settings.Sides == 2 : q.Strict && r.Settings.Sides == 2;
        var report = new PowerReport()
            .Add("design", "Design", "proportions")
            .Add("method", "Method", m == ProportionsMethod.Pooled ? "pooled" : "arcsine");
        if (unknown == ProportionsUnknown.Alpha)
            report.Add("alpha", "False-alarm rate (alpha, solved)", r.Alpha);
        else
            report.Input("alpha", "False-alarm rate (alpha)", r.Alpha);
        report.Add("sides", "Sides", r.Settings.Sides)
              .Add("tails_in_power", "Rejection tails counted in the power", bothTails ? "both" : "direction-of-effect")
              .Add("continuity_correction", "Continuity correction", q.ContinuityCorrection ? "fleiss-tytun-ury" : "none")
              .Input("p1", "Share in arm 1 (p1)", q.P1);
        if (q.P2 is { } p2)
            report.Input("p2", "Share in arm 2 (p2)", p2);
        if (unknown == ProportionsUnknown.Size)
            report.Input("ratio", "Allocation ratio n2/n1", q.Ratio);
        report.Add("solved_for", "Solved for", unknown switch
        {
            ProportionsUnknown.Size => "n1_n2",
            ProportionsUnknown.Power => "power",
            ProportionsUnknown.Effect => "effect",
            _ => "alpha",
        });
        bool solvedSize = unknown == ProportionsUnknown.Size;
        report.Add("n1", solvedSize ? "People in arm 1 (unrounded)" : "People in arm 1", r.N1)
              .Add("n1_ceil", "People in arm 1 (rounded up)", r.N1Ceil)
              .Add("n2", solvedSize ? "People in arm 2 (unrounded)" : "People in arm 2", r.N2)
              .Add("n2_ceil", "People in arm 2 (rounded up)", r.N2Ceil);
        switch (unknown)
        {
            case ProportionsUnknown.Size:
                report.Add("power", "Power (target)", r.Power);
                break;
            case ProportionsUnknown.Alpha:
                report.Input("power", "Power (target)", r.Power);
                break;
            case ProportionsUnknown.Power:
                double? detectable = r.P2Up ?? r.P2Down;
                report.Add("power", "Power at p2", r.Power)
                      .DetectableP2(r.Settings.Power, detectable is { } d ? Math.Abs(d - q.P1) : null, detectable);
                if (detectable is null)
                    report.Warn($"no p2 between 0 and 1 is detected with power {Show(r.Settings.Power)} by {Show(r.N1)} and {Show(r.N2)} people");
                break;
            default:
                report.Input("power", "Power (target)", r.Power);
                if (m == ProportionsMethod.Arcsine)
                    report.Add("h_detectable", "Smallest detectable Cohen's h", r.H);
                if (direction != EffectDirection.Down)
                    report.Add("p2_detectable_up", "Smallest detectable p2 above p1", r.P2Up);
                if (direction != EffectDirection.Up)
                    report.Add("p2_detectable_down", "Largest detectable p2 below p1", r.P2Down);
                if ((direction != EffectDirection.Down && r.P2Up is null) || (direction != EffectDirection.Up && r.P2Down is null))
                    report.Warn($"on at least one side no p2 between 0 and 1 is detected with power {Show(r.Settings.Power)} by {Show(r.N1)} and {Show(r.N2)} people");
                break;
        }

        report.WarnAll(r.Warnings);
        return report.Write(console, parse.GetValue(o.Json));
    }

    private static Command Tolerance(CliConsole console)
    {
        var rate = Proportion("--rate", "The harm rate you fear in the group (the true rate the pilot should catch), e.g. 0.04 for 4 in 100. Must be above --tolerance to find a size.");
        var tolerance = Proportion("--tolerance", "The highest harm rate you would accept for the group, e.g. 0.02. The pilot tests whether the rate is above it.");
        var n = Count("--n",
            "People from the group the pilot will observe. Given: report the power at --rate and the smallest harm rate it can show. Omitted: find the people needed.",
            "N");
        var method = new Option<string>("--method")
        {
            Description = "normal (default): normal approximation. exact: the exact binomial test; also reports the false-alarm rate it really has " +
                          "(at most --alpha) and, because its power rises in a sawtooth, both the smallest n that reaches --power and the smallest n from which every larger n does.",
            DefaultValueFactory = _ => "normal",
            HelpName = "normal|exact",
        };
        Option<double> alpha = AlphaOption(), power = PowerOption();
        Option<bool> json = JsonOption();
        var command = new Command("tolerance",
            "Can a pilot show that a group's harm rate exceeds what we tolerate? One-sided test of 'rate <= tolerance' " +
            "against 'rate > tolerance', with power at the feared --rate.")
        {
            rate, tolerance, n, method, alpha, power, json,
        };
        command.SetAction(parse => Run(() =>
        {
            ToleranceMethod m = parse.GetValue(method) switch
            {
                "normal" => ToleranceMethod.Normal,
                "exact" => ToleranceMethod.Exact,
                var other => throw new UsageException($"--method must be normal or exact (got '{other}')"),
            };
            var settings = new PowerSettings(parse.GetValue(alpha), 1, parse.GetValue(power));
            ToleranceResult r = ToleranceTest.Solve(m, parse.GetValue(rate), parse.GetValue(tolerance), parse.GetValue(n), settings);
            var report = new PowerReport()
                .Add("design", "Design", "tolerance")
                .Add("method", "Method", m == ToleranceMethod.Normal ? "normal" : "exact")
                .Input("alpha", "False-alarm rate (alpha, nominal)", r.Settings.Alpha)
                .Add("sides", "Sides", 1)
                .Input("rate", "Feared harm rate", r.Rate)
                .Input("tolerance", "Tolerated harm rate", r.Tolerance)
                .Add("solved_for", "Solved for", r.SolvedForN ? "n" : "power");
            if (r.SolvedForN && m == ToleranceMethod.Exact)
            {
                report.Add("n", "People: smallest n reaching the power", (long)r.N)
                      .Add("n_ceil", "People (rounded up)", r.NCeil)
                      .Add("n_stable", "People: smallest n from which every larger n reaches it", r.NStable)
                      .Add("power", "Power (target)", r.Power)
                      .Add("power_at_n", "Power at n", r.AtN!.Power)
                      .Add("attained_alpha_at_n", "False-alarm rate attained at n", r.AtN.AttainedAlpha)
                      .Add("critical_events_at_n", "Harmed people that show harm at n (at least)", r.AtN.CriticalCount)
                      .Add("power_at_n_stable", "Power at n_stable", r.AtNStable!.Power)
                      .Add("attained_alpha_at_n_stable", "False-alarm rate attained at n_stable", r.AtNStable.AttainedAlpha)
                      .Add("critical_events_at_n_stable", "Harmed people that show harm at n_stable (at least)", r.AtNStable.CriticalCount);
            }
            else if (r.SolvedForN)
            {
                report.Add("n", "People (unrounded)", r.N)
                      .Add("n_ceil", "People (rounded up)", r.NCeil)
                      .Add("power", "Power (target)", r.Power);
            }
            else
            {
                report.Add("n", "People", (long)r.N)
                      .Add("n_ceil", "People (rounded up)", r.NCeil)
                      .Add("power", "Power at the feared rate", r.Power);
                if (r.AtN is { } at)
                    report.Add("attained_alpha", "False-alarm rate attained", at.AttainedAlpha)
                          .Add("critical_events", "Harmed people that show harm (at least)", at.CriticalCount);
                report.Detectable(r.Settings.Power, "rate", "Smallest detectable excess over the tolerance", "rate_detectable", "Smallest detectable harm rate",
                    r.Mde, r.RateDetectable);
                if (r.Mde is null)
                    report.Warn($"{Show(r.N)} people cannot show any harm rate below 1 to be above {Show(r.Tolerance)} with power {Show(r.Settings.Power)}");
            }

            report.WarnAll(r.Warnings);

            return report.Write(console, parse.GetValue(json));
        }));
        return command;
    }

    private static Command Poisson(CliConsole console)
    {
        var rate1 = CommonOptions.RequiredReal("--rate1",
            "Events per unit of person-time without the change (control arm), e.g. 0.02 wrongful suspensions per person-year.",
            "R");
        var rate2 = CommonOptions.RequiredReal("--rate2",
            "Events per unit of person-time with the change (pilot arm), in the same units as --rate1.",
            "R");
        var personTime = CommonOptions.Real("--person-time",
            "Person-time each arm will be followed for, in the units of the rates (e.g. 500 people for 2 years = 1000 person-years). " +
            "Given: report the power and the smallest detectable --rate2. Omitted: find the person-time needed.",
            "T");
        var personTime1 = CommonOptions.Real("--person-time1",
            "Person-time in arm 1 (the --rate1 arm) when the arms differ; give with --person-time2 instead of --person-time (normal method).", "T1");
        var personTime2 = CommonOptions.Real("--person-time2", "Person-time in arm 2 (the --rate2 arm); give with --person-time1.", "T2");
        var ratio = CommonOptions.Real("--ratio",
            "Person-time ratio t2/t1 when solving for the person-time (default 1); reports both arms' person-time (normal method). Must be positive.", "K");
        var method = new Option<string>("--method")
        {
            Description = "normal (default): normal approximation on the square-root scale. exact: the exact conditional test " +
                          "(given the total number of events, how they split between the arms); better for rare events.",
            DefaultValueFactory = _ => "normal",
            HelpName = "normal|exact",
        };
        Option<double> alpha = AlphaOption(), power = PowerOption();
        Option<int> sides = SidesOption();
        Option<bool> json = JsonOption();
        var command = new Command("poisson",
            "Rare events counted over person-time in two arms (e.g. wrongful suspensions per person-year): the person-time per arm " +
            "needed to detect a change from --rate1 to --rate2, or the power of a given --person-time.")
        {
            rate1, rate2, personTime, personTime1, personTime2, ratio, method, alpha, power, sides, json,
        };
        command.SetAction(parse => Run(() =>
        {
            PoissonMethod m = parse.GetValue(method) switch
            {
                "normal" => PoissonMethod.Normal,
                "exact" => PoissonMethod.Exact,
                var other => throw new UsageException($"--method must be normal or exact (got '{other}')"),
            };
            double? t1 = parse.GetValue(personTime1), t2 = parse.GetValue(personTime2), k = parse.GetValue(ratio);
            if (t1 is not null || t2 is not null || k is not null)
            {
                if (m == PoissonMethod.Exact)
                    throw new UsageException("--person-time1, --person-time2 and --ratio work with --method normal only (the exact test here assumes equal person-time)");
                if (parse.GetValue(personTime) is not null)
                    throw new UsageException("--person-time gives both arms the same person-time; give it, or --person-time1 and --person-time2, not both");
                if (k is not null && (t1 is not null || t2 is not null))
                    throw new UsageException("--ratio applies when solving for the person-time; with given arms, --person-time1 and --person-time2 already fix it");
                if (t1 is null != t2 is null)
                    throw new UsageException(t1 is null ? "--person-time2 needs --person-time1: give both, or neither" : "--person-time1 needs --person-time2: give both, or neither");
                PoissonUnequalResult u = UnequalArms.SolvePoisson(parse.GetValue(rate1), parse.GetValue(rate2), t1, t2, k ?? 1,
                    Settings(parse, alpha, power, sides));
                var unequal = Opening("poisson", "normal", u.Settings)
                    .Input("rate1", "Rate without the change", u.Rate1)
                    .Input("rate2", "Rate with the change", u.Rate2);
                if (u.SolvedForPersonTime)
                    unequal.Input("ratio", "Person-time ratio t2/t1", k ?? 1);
                unequal.Add("solved_for", "Solved for", u.SolvedForPersonTime ? "person_time" : "power")
                    .Add("person_time1", "Person-time, arm 1", u.PersonTime1)
                    .Add("person_time2", "Person-time, arm 2", u.PersonTime2)
                    .Add("expected_events_arm1", "Expected events, arm 1", u.Rate1 * u.PersonTime1)
                    .Add("expected_events_arm2", "Expected events, arm 2", u.Rate2 * u.PersonTime2)
                    .Add("power", u.SolvedForPersonTime ? "Power (target)" : "Power at rate2", u.Power);
                if (!u.SolvedForPersonTime)
                {
                    unequal.Detectable(u.Settings.Power, "rate", "Smallest detectable difference |rate2 - rate1|", "rate2_detectable", "Smallest detectable rate2",
                        u.Mde, u.Rate2Detectable);
                    if (u.Mde is null)
                        unequal.Warn($"no rate2 in that direction is detected with power {Show(u.Settings.Power)} by this person-time");
                }

                unequal.WarnAll(u.Warnings);
                return unequal.Write(console, parse.GetValue(json));
            }

            PoissonResult r = PoissonRates.Solve(m, parse.GetValue(rate1), parse.GetValue(rate2), parse.GetValue(personTime),
                Settings(parse, alpha, power, sides));
            var report = Opening("poisson", m == PoissonMethod.Normal ? "normal" : "exact", r.Settings)
                .Input("rate1", "Rate without the change", r.Rate1)
                .Input("rate2", "Rate with the change", r.Rate2)
                .Add("solved_for", "Solved for", r.SolvedForPersonTime ? "person_time_per_arm" : "power")
                .Add("person_time_per_arm", "Person-time per arm", r.PersonTimePerArm)
                .Add("expected_events_arm1", "Expected events, arm 1", r.ExpectedEvents1)
                .Add("expected_events_arm2", "Expected events, arm 2", r.ExpectedEvents2)
                .Add("power", r.SolvedForPersonTime ? "Power (target)" : "Power at rate2", r.Power);
            if (!r.SolvedForPersonTime)
            {
                report.Detectable(r.Settings.Power, "rate", "Smallest detectable difference |rate2 - rate1|", "rate2_detectable", "Smallest detectable rate2",
                    r.Mde, r.Rate2Detectable);
                if (r.Mde is null)
                    report.Warn($"no rate2 in that direction is detected with power {Show(r.Settings.Power)} by {Show(r.PersonTimePerArm)} person-time per arm" +
                                (m == PoissonMethod.Exact ? $" (the exact search stays within {Show(PoissonRates.MaxExactEvents)} expected events)" : ""));
            }

            report.WarnAll(r.Warnings);

            return report.Write(console, parse.GetValue(json));
        }));
        return command;
    }

    private static Command Cluster(CliConsole console)
    {
        var p1 = Proportion("--p1", "Share of people with the outcome in control areas, e.g. 0.20. Strictly between 0 and 1.");
        var p2 = Proportion("--p2", "Share expected in pilot areas, e.g. 0.25. Strictly between 0 and 1; must differ from --p1 to find a size.");
        var m = CommonOptions.RequiredReal("--persons-per-area",
            "People measured in each area (the average if areas differ in size). At least 1.",
            "M");
        var icc = CommonOptions.Real("--icc",
            "How alike people in the same area are (intracluster correlation, 0 to below 1; often 0.01 to 0.05). " +
            "Uses the design effect 1 + (M - 1) x ICC. Give this or --cv, not both.",
            "ICC");
        var sizeCv = CommonOptions.Real("--size-cv",
            "With --icc: how much area sizes vary (standard deviation / mean of people per area; 0 = all equal, ~0.65 typical of UK general practices). " +
            "Uses 1 + ((CV^2 + 1) x M - 1) x ICC (Eldridge, Ashby and Kerry 2006).",
            "CV");
        var cv = CommonOptions.Real("--cv",
            "How much the true share varies between areas in the same arm (standard deviation / mean; Hayes and Bennett's k, often 0.1 to 0.3, 0.25 if unknown). " +
            "Uses Hayes and Bennett (1999). Give this or --icc, not both.",
            "K");
        var areas = Count("--areas-per-arm",
            "Areas the pilot can have in each arm. Given: report the power and the smallest detectable difference. Omitted: find the areas needed. " +
            "Fewer than 4 gets a warning; 1 is refused (the variation between areas cannot be estimated).",
            "C");
        var areas1 = Count("--areas1",
            "Areas in arm 1 (the --p1, control arm) when the arms differ, e.g. 6 controls; give with --areas2 instead of --areas-per-arm (--icc only).", "C1");
        var areas2 = Count("--areas2", "Areas in arm 2 (the --p2, pilot arm), e.g. 2 treated areas; give with --areas1.", "C2");
        var ratio = CommonOptions.Real("--ratio",
            "Areas ratio arm 2 / arm 1 when solving for areas (default 1): reports each arm's areas, rounded up (--icc only). Must be positive.", "R");
        var m2 = CommonOptions.Real("--persons-per-area2",
            "People measured per area in arm 2 if it differs from --persons-per-area (which is then arm 1's); each arm gets its own design effect (--icc only).", "M2");
        Option<double> alpha = AlphaOption(), power = PowerOption();
        Option<int> sides = SidesOption();
        Option<bool> json = JsonOption();
        var command = new Command("cluster",
            "Whole areas are randomised (some get the change, others do not): how many areas per arm, and people, to detect a change " +
            "from --p1 to --p2, or the power of a given --areas-per-arm.")
        {
            p1, p2, m, icc, sizeCv, cv, areas, areas1, areas2, ratio, m2, alpha, power, sides, json,
        };
        command.SetAction(parse => Run(() =>
        {
            double? iccValue = parse.GetValue(icc), cvValue = parse.GetValue(cv), sizeCvValue = parse.GetValue(sizeCv);
            if (iccValue is null == cvValue is null)
                throw new UsageException("--icc or --cv: give exactly one (--icc for the design effect, --cv for Hayes and Bennett)");
            if (sizeCvValue is not null && iccValue is null)
                throw new UsageException("--size-cv applies only with --icc");
            long? c1 = parse.GetValue(areas1), c2 = parse.GetValue(areas2);
            double? areasRatio = parse.GetValue(ratio), m2Value = parse.GetValue(m2);
            if (c1 is not null || c2 is not null || areasRatio is not null || m2Value is not null)
            {
                if (iccValue is null)
                    throw new UsageException("--areas1, --areas2, --ratio and --persons-per-area2 work with --icc (the design effect) only");
                if (parse.GetValue(areas) is not null)
                    throw new UsageException("--areas-per-arm gives both arms the same areas; give it, or --areas1 and --areas2, not both");
                if (areasRatio is not null && (c1 is not null || c2 is not null))
                    throw new UsageException("--ratio applies when solving for areas; with given arms, --areas1 and --areas2 already fix it");
                if (c1 is null != c2 is null)
                    throw new UsageException(c1 is null ? "--areas2 needs --areas1: give both, or neither" : "--areas1 needs --areas2: give both, or neither");
                var unequalInput = new ClusterUnequalInput(parse.GetValue(p1), parse.GetValue(p2), parse.GetValue(m), m2Value ?? parse.GetValue(m),
                    iccValue.Value, sizeCvValue ?? 0, c1, c2, areasRatio ?? 1);
                return ClusterUnequalReport(console, UnequalArms.SolveCluster(unequalInput, Settings(parse, alpha, power, sides)), parse.GetValue(json));
            }

            var input = new ClusterInput(parse.GetValue(p1), parse.GetValue(p2), parse.GetValue(m),
                iccValue is null ? ClusterMethod.HayesBennett : ClusterMethod.DesignEffect,
                Icc: iccValue ?? 0, SizeCv: sizeCvValue ?? 0, K: cvValue ?? 0, AreasPerArm: parse.GetValue(areas));
            ClusterResult r = ClusterDesign.Solve(input, Settings(parse, alpha, power, sides));
            bool de = input.Method == ClusterMethod.DesignEffect;
            var report = Opening("cluster", de ? "design-effect" : "hayes-bennett", r.Settings)
                .Input("p1", "Share in control areas (p1)", input.P1)
                .Input("p2", "Share in pilot areas (p2)", input.P2)
                .Input("persons_per_area", "People per area", input.PersonsPerArea);
            if (de)
                report.Input("icc", "Intracluster correlation", input.Icc)
                      .Input("size_cv", "Variation of area sizes (CV)", input.SizeCv)
                      .Add("design_effect", "Design effect", r.DesignEffect);
            else
                report.Input("cv", "Between-area variation of the share (k)", input.K);
            report.Add("n_individual_per_arm", de ? "People per arm if individually randomised (pooled)" : "People per arm if individually randomised (unpooled)", r.IndividualNPerArm)
                  .Add("solved_for", "Solved for", r.SolvedForAreas ? "areas_per_arm" : "power")
                  .Add("areas_per_arm", r.SolvedForAreas ? "Areas per arm (unrounded)" : "Areas per arm", r.AreasPerArm)
                  .Add("areas_per_arm_ceil", "Areas per arm (rounded up)", r.AreasPerArmCeil)
                  .Add("persons_per_arm", "People per arm (areas x people per area)", r.PersonsPerArm)
                  .Add("power", r.SolvedForAreas ? "Power (target)" : "Power at p2", r.Power);
            if (!r.SolvedForAreas)
                report.DetectableP2(r.Settings.Power, r.Mde, r.P2Detectable);
            report.WarnAll(r.Warnings);
            return report.Write(console, parse.GetValue(json));
        }));
        return command;
    }

    private static int ClusterUnequalReport(CliConsole console, ClusterUnequalResult r, bool json)
    {
        ClusterUnequalInput input = r.Input;
        var report = Opening("cluster", "design-effect", r.Settings)
            .Input("p1", "Share in control areas, arm 1 (p1)", input.P1)
            .Input("p2", "Share in pilot areas, arm 2 (p2)", input.P2)
            .Input("persons_per_area1", "People per area, arm 1", input.PersonsPerArea1)
            .Input("persons_per_area2", "People per area, arm 2", input.PersonsPerArea2)
            .Input("icc", "Intracluster correlation", input.Icc)
            .Input("size_cv", "Variation of area sizes (CV)", input.SizeCv)
            .Add("design_effect1", "Design effect, arm 1", r.DesignEffect1)
            .Add("design_effect2", "Design effect, arm 2", r.DesignEffect2);
        if (r.SolvedForAreas)
            report.Input("ratio", "Areas ratio arm 2 / arm 1", input.Ratio);
        report.Add("solved_for", "Solved for", r.SolvedForAreas ? "areas" : "power")
              .Add("areas1", r.SolvedForAreas ? "Areas, arm 1 (unrounded)" : "Areas, arm 1", r.Areas1)
              .Add("areas1_ceil", "Areas, arm 1 (rounded up)", r.Areas1Ceil)
              .Add("areas2", r.SolvedForAreas ? "Areas, arm 2 (unrounded)" : "Areas, arm 2", r.Areas2)
              .Add("areas2_ceil", "Areas, arm 2 (rounded up)", r.Areas2Ceil)
              .Add("persons1", "People, arm 1 (areas x people per area)", r.Areas1Ceil * input.PersonsPerArea1)
              .Add("persons2", "People, arm 2 (areas x people per area)", r.Areas2Ceil * input.PersonsPerArea2)
              .Add("effective_n1", "Effective people, arm 1 (areas x people per area / design effect)", r.EffectiveN1)
              .Add("effective_n2", "Effective people, arm 2", r.EffectiveN2)
              .Add("power", r.SolvedForAreas ? "Power (target)" : "Power at p2", r.Power);
        if (!r.SolvedForAreas)
            report.DetectableP2(r.Settings.Power, r.Mde, r.P2Detectable);
        report.WarnAll(r.Warnings);
        return report.Write(console, json);
    }

    /// <summary>A number inside a warning: the shortest text that reads back as the value used.</summary>
    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static PowerSettings Settings(ParseResult parse, Option<double> alpha, Option<double> power, Option<int> sides)
        => new(parse.GetValue(alpha), parse.GetValue(sides), parse.GetValue(power));

    /// <summary>Engine refusals (a value out of range, a target no size reaches) become one line and exit 2.</summary>
    private static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (PowerInputException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
