using ImpactModel.Simulation;
using ImpactModel.Worker.Output;

namespace ImpactModel.Tests.Output;

/// <summary>Units in words and figures of the printed summary (<see cref="MetricUnits"/>), from hand-made metrics and rows.</summary>
public sealed class MetricUnitsTests
{
    private static readonly MoneyBasis Fixed = new(2014, 5, 0.035);
    private static readonly MoneyBasis Uncertain = new(2014, 5, null);

    private static readonly ReportedMetric Persons = new("hardship", new MetricDefinition("hardship", MetricUnit.Persons, 0), null, null);
    private static readonly ReportedMetric Claims = new("claimants", new MetricDefinition("claimants", MetricUnit.Persons, 0, Counts: "claims"), null, null);
    private static readonly ReportedMetric Annual = new("money_recovered", new MetricDefinition("money_recovered", MetricUnit.Money, 0, Events: 1), null, null);
    private static readonly ReportedMetric Present = new("net_benefit", new MetricDefinition("net_benefit", MetricUnit.Money, 0, PresentValue: true), null, null);

    private static readonly MetricDefinition RateDefinition = new("wrongful_adverse_action_rate", MetricUnit.Rate, 0, 1, IsHarm: true);
    private static readonly ReportedMetric Rate = new("wrongful_adverse_action_rate", RateDefinition, null, "claimants");
    private static readonly ReportedMetric Ratio = new("wrongful_adverse_action_rate_ratio_vs_rest", RateDefinition, "wrongful_adverse_action_rate", null);

    private static ResultRow Row(double? mean, double? low, double? high, long? events) =>
        new("proposal", "all", "m", new ReplicateSummary(mean, low, high, 40, 0.1), events);

    [Fact]
    public void Units_in_words_say_what_is_counted_the_money_basis_what_a_rate_is_per_and_a_ratio()
    {
        Assert.Equal("persons", MetricUnits.Unit(Persons, Fixed));
        Assert.Equal("claims", MetricUnits.Unit(Claims, Fixed));
        Assert.Equal("GBP a year at 2014 prices", MetricUnits.Unit(Annual, Fixed));
        Assert.Equal("GBP present value over 5 years at 2014 prices, discounted at 3.5%", MetricUnits.Unit(Present, Fixed));
        Assert.Equal("GBP present value over 5 years at 2014 prices, discounted at the scenario's discount_rate", MetricUnits.Unit(Present, Uncertain));
        Assert.Equal(("rate", "claimants"), (MetricUnits.Unit(Rate, Fixed), MetricUnits.Denominator(Rate)));
        Assert.Equal(("ratio", "the same metric for rest"), (MetricUnits.Unit(Ratio, Fixed), MetricUnits.Denominator(Ratio)));
        Assert.Null(MetricUnits.Denominator(Persons));
        Assert.Null(MetricUnits.Denominator(Annual));
    }

    [Fact]
    public void A_rate_is_per_its_own_words_or_its_denominator_counter_in_words()
    {
        var named = new ReportedMetric("link_recall", new MetricDefinition("link_recall", MetricUnit.Rate, 0, 1, Per: "persons processed"), null, "link.processed");
        var counter = new ReportedMetric("false_positive_rate", new MetricDefinition("false_positive_rate", MetricUnit.Rate, 0, 1), null, "correct_claims");
        var block = new ReportedMetric("r", new MetricDefinition("r", MetricUnit.Rate, 0, 1), null, "link.with_record");
        Assert.Equal("persons processed", MetricUnits.Denominator(named));
        Assert.Equal("correct claims", MetricUnits.Denominator(counter));
        Assert.Equal("with record", MetricUnits.Denominator(block));
    }

    [Fact]
    public void Figures_are_quoted_with_their_units_and_their_intervals_in_the_same_form()
    {
        Assert.Equal("761 persons, 95% interval 700 to 820", MetricUnits.Figure(Row(761.4, 700.2, 819.6, 200), Persons, Fixed, 40));
        Assert.Equal("4,981,200 claims", MetricUnits.Figure(Row(4_981_200, null, null, 9000), Claims, Fixed, 1));
        Assert.Equal("£446,950,328 a year (2014 prices), 95% interval £400,000,000 to £500,000,001",
            MetricUnits.Figure(Row(446_950_327.6, 4e8, 500_000_000.6, 900), Annual, Fixed, 40));
        Assert.Equal("-£1,234 present value over 5 years (2014 prices), 95% interval -£2,000 to £3",
            MetricUnits.Figure(Row(-1234.2, -2000, 3, null), Present, Fixed, 40));
        Assert.Equal("0.99% of claimants, 95% interval 0.95% to 1.03%", MetricUnits.Figure(Row(0.0099, 0.0095, 0.0103, 500), Rate, Fixed, 40));
        Assert.Equal("12.3% of claimants, 95% interval 0% to 100%", MetricUnits.Figure(Row(0.12345, 0, 1, 500), Rate, Fixed, 40));
        Assert.Equal("2.3 times rest, 95% interval 1.9 to 13", MetricUnits.Figure(Row(2.34, 1.94, 12.6, 500), Ratio, Fixed, 40));
    }

    [Fact]
    public void A_figure_on_fewer_than_30_events_is_unreliable_and_its_number_is_not_quoted()
    {
        Assert.Equal("unreliable (rests on 12 simulated events over 40 replicates)", MetricUnits.Figure(Row(761.4, 700.2, 819.6, 12), Persons, Fixed, 40));
        Assert.Equal("unreliable (rests on 29 simulated events over 40 replicates)", MetricUnits.Figure(Row(0.0099, 0.0095, 0.0103, 29), Rate, Fixed, 40));
        Assert.Equal("unreliable (rests on 1 simulated event over 1 replicate)", MetricUnits.Figure(Row(5, null, null, 1), Persons, Fixed, 1));
        Assert.Equal("none simulated over 40 replicates (too rare to quote a figure)", MetricUnits.Figure(Row(0, 0, 0, 0), Ratio, Fixed, 40));
        Assert.StartsWith("30 persons", MetricUnits.Figure(Row(30, 30, 30, 30), Persons, Fixed, 40), StringComparison.Ordinal);
        // Money naming no events is quoted; an undefined value is said to be undefined.
        Assert.StartsWith("-£1,234", MetricUnits.Figure(Row(-1234, null, null, null), Present, Fixed, 40), StringComparison.Ordinal);
        Assert.Equal("undefined", MetricUnits.Figure(Row(null, null, null, 0), Rate, Fixed, 40));
    }
}
