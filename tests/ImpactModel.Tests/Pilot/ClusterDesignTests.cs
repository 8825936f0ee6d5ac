using ImpactModel.Pilot;

namespace ImpactModel.Tests.Pilot;

public class ClusterDesignTests
{
    private static readonly PowerSettings Default = new();

    [Theory]
    [InlineData(0.20, 0.25, 50)]
    [InlineData(0.02, 0.01, 500)]
    [InlineData(0.40, 0.30, 7)]
    public void Design_effect_with_icc_0_gives_the_individually_randomised_people(double p1, double p2, double m)
    {
        ClusterResult r = ClusterDesign.Solve(new ClusterInput(p1, p2, m, ClusterMethod.DesignEffect, Icc: 0), Default);
        double individual = TwoProportions.PooledN(p1, p2, Default);
        Assert.Equal(1.0, r.DesignEffect);
        Assert.Equal(individual, r.AreasPerArm * m, 9);
    }

    [Theory]
    [InlineData(0.20, 0.25, 0.05)]
    [InlineData(0.02, 0.01, 0.30)]
    public void Design_effect_with_one_person_per_area_gives_the_individually_randomised_answer(double p1, double p2, double icc)
    {
        ClusterResult r = ClusterDesign.Solve(new ClusterInput(p1, p2, 1, ClusterMethod.DesignEffect, Icc: icc), Default);
        Assert.Equal(1.0, r.DesignEffect);
        Assert.Equal(TwoProportions.PooledN(p1, p2, Default), r.AreasPerArm, 9);

        // and the power of that many one-person areas is the individually randomised power
        ClusterResult back = ClusterDesign.Solve(new ClusterInput(p1, p2, 1, ClusterMethod.DesignEffect, Icc: icc, AreasPerArm: 400), Default);
        Assert.Equal(TwoProportions.PooledPower(p1, p2, 400, Default), back.Power, 12);
    }

    [Fact]
    public void Unequal_area_sizes_use_the_Eldridge_Ashby_Kerry_design_effect()
    {
        // Eldridge, Ashby and Kerry (2006), eq. 2: DE = 1 + ((CV² + 1)·m − 1)·ICC. With their typical
        // UK general-practice CV of 0.65, m = 20 and ICC = 0.05: 1 + ((0.4225 + 1)·20 − 1)·0.05 = 2.3725,
        // against 1 + 19·0.05 = 1.95 for equal sizes.
        Assert.Equal(2.3725, ClusterDesign.DesignEffect(20, 0.05, 0.65), 12);
        Assert.Equal(1.95, ClusterDesign.DesignEffect(20, 0.05, 0), 12);
        ClusterResult r = ClusterDesign.Solve(new ClusterInput(0.2, 0.3, 20, ClusterMethod.DesignEffect, Icc: 0.05, SizeCv: 0.65), Default);
        Assert.Equal(TwoProportions.PooledN(0.2, 0.3, Default) * 2.3725 / 20, r.AreasPerArm, 9);
    }

    [Theory]
    [InlineData(0.02, 0.01, 500)]
    [InlineData(0.30, 0.20, 40)]
    public void Hayes_Bennett_with_k_0_is_the_individual_answer_in_areas_plus_1(double p1, double p2, double m)
    {
        ClusterResult r = ClusterDesign.Solve(new ClusterInput(p1, p2, m, ClusterMethod.HayesBennett, K: 0), Default);
        Assert.Equal(TwoProportions.UnpooledN(p1, p2, Default) / m + 1, r.AreasPerArm, 9);
    }

    /// <summary>
    /// Smith, Morrow and Ross (eds.), Field Trials of Health Interventions: A Toolbox, 3rd ed., Oxford
    /// University Press 2015 (open access), chapter 5 "Trial size", Table 5.6(a): spreadsheet calculation
    /// of the number of clusters per arm of an unmatched cluster randomised trial comparing proportions
    /// by the Hayes and Bennett formula, two-sided 5% significance, k = 0.25. The table shows (z1 + z2)²
    /// as 7.85 (80%) and 10.51 (90%) and prints clusters per arm to 2 decimals and rounded up.
    /// Columns: power, p1, p2, persons per cluster, clusters per arm, rounded up.
    /// </summary>
    [Theory]
    [InlineData(0.80, 0.02, 0.010, 500, 8.08, 9)]
    [InlineData(0.80, 0.03, 0.015, 500, 6.51, 7)]
    [InlineData(0.80, 0.04, 0.020, 500, 5.73, 6)]
    [InlineData(0.90, 0.02, 0.010, 500, 10.48, 11)]
    [InlineData(0.90, 0.03, 0.015, 500, 8.38, 9)]
    [InlineData(0.90, 0.04, 0.020, 500, 7.33, 8)]
    [InlineData(0.80, 0.02, 0.010, 250, 12.71, 13)]
    [InlineData(0.80, 0.03, 0.015, 250, 9.57, 10)]
    [InlineData(0.80, 0.04, 0.020, 250, 8.01, 9)]
    [InlineData(0.90, 0.02, 0.010, 250, 16.68, 17)]
    [InlineData(0.90, 0.03, 0.015, 250, 12.48, 13)]
    [InlineData(0.90, 0.04, 0.020, 250, 10.38, 11)]
    public void Hayes_Bennett_reproduces_Field_Trials_table_5_6(double power, double p1, double p2, double m, double printed, long roundedUp)
    {
        var s = new PowerSettings(0.05, 2, power);
        ClusterResult r = ClusterDesign.Solve(new ClusterInput(p1, p2, m, ClusterMethod.HayesBennett, K: 0.25), s);
        Assert.Equal(roundedUp, r.AreasPerArmCeil);

        // The spreadsheet evaluates the z values unrounded (its column of (z1 + z2)² only displays 7.85 and
        // 10.51; with those rounded figures 4 of the 12 rows would be 0.01 off), so the engine's
        // unrounded c, rounded to 2 decimals, is the printed value in every row.
        Assert.Equal(printed, Math.Round(r.AreasPerArm, 2));
    }

    [Fact]
    public void The_design_effect_route_reproduces_Sedgwicks_published_worked_example()
    {
        // Sedgwick, "Cluster randomised controlled trials: sample size calculations", BMJ 2013;346:f2839:
        // 50% vs 65%, 80% power, alpha 0.05 needs 340 patients individually randomised; with ICC 0.05 and
        // 46 patients per practice, 1104 patients: 24 practices (12 per arm) of 46.
        ClusterResult r = ClusterDesign.Solve(new ClusterInput(0.50, 0.65, 46, ClusterMethod.DesignEffect, Icc: 0.05), Default);
        Assert.Equal(340, 2 * (long)Math.Ceiling(r.IndividualNPerArm!.Value));
        Assert.Equal(3.25, r.DesignEffect!.Value, 12);
        Assert.Equal(12, r.AreasPerArmCeil);
        Assert.Equal(1104, 2 * r.AreasPerArmCeil * 46);
    }

    [Fact]
    public void Hayes_Bennett_power_inverts_the_size()
    {
        double c = ClusterDesign.HayesBennettAreas(0.02, 0.01, 500, 0.25, Default);
        Assert.Equal(0.8, ClusterDesign.HayesBennettPower(0.02, 0.01, 500, 0.25, c, Default), 12);
    }

    [Fact]
    public void Fewer_than_4_areas_per_arm_gets_a_plain_warning()
    {
        ClusterResult r = ClusterDesign.Solve(new ClusterInput(0.2, 0.5, 100, ClusterMethod.HayesBennett, K: 0.1, AreasPerArm: 3), Default);
        Assert.Contains(r.Warnings, w => w.Contains("fewer than 4", StringComparison.Ordinal));
        ClusterResult ok = ClusterDesign.Solve(new ClusterInput(0.2, 0.5, 100, ClusterMethod.HayesBennett, K: 0.1, AreasPerArm: 4), Default);
        Assert.DoesNotContain(ok.Warnings, w => w.Contains("fewer than 4", StringComparison.Ordinal));
    }

    [Fact]
    public void One_area_per_arm_is_refused()
    {
        var e = Assert.Throws<PowerInputException>(() =>
            ClusterDesign.Solve(new ClusterInput(0.2, 0.3, 100, ClusterMethod.DesignEffect, Icc: 0.02, AreasPerArm: 1), Default));
        Assert.Equal("areas-per-arm", e.Option);
    }

    [Fact]
    public void A_solved_answer_below_2_areas_is_raised_to_2_with_warnings()
    {
        ClusterResult r = ClusterDesign.Solve(new ClusterInput(0.2, 0.6, 1000, ClusterMethod.DesignEffect, Icc: 0.0), Default);
        Assert.True(r.AreasPerArm < 1);
        Assert.Equal(2, r.AreasPerArmCeil);
        Assert.Equal(2, r.Warnings.Count);
    }
}
