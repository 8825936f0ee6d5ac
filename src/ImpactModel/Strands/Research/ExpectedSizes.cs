namespace ImpactModel.Strands.Research;

/// <summary>
/// The cells of one release's layout as they would be in the declared population, estimated from
/// fewer simulated persons with a log-linear model of main effects (<see cref="ClassRisk"/>): each
/// cell's share the product of its quasi-identifiers' shares, separately in the extract and the
/// population; the share of a holder's other class members holding each attribute, shrunk towards the extract's.
/// </summary>
internal sealed class ExpectedSizes
{
    /// <summary>Records of the simulated cell given the weight of this many records of the extract's share (a cell seen once says little).</summary>
    private const double PriorRecords = 2;

    private ExpectedSizes(double[] others, double[] outside, double[] shares, int attributes)
    {
        Others = others;
        Outside = outside;
        Shares = shares;
        Attributes = attributes;
    }

    /// <summary>Per cell, the expected other records of a record's class in the declared extract (μ).</summary>
    public double[] Others { get; }

    /// <summary>Per cell, the expected further persons of its population class outside the extract (λ).</summary>
    public double[] Outside { get; }

    /// <summary>Per cell and attribute, the share of a holder's other class members holding it.</summary>
    public double[] Shares { get; }

    public int Attributes { get; }

    /// <summary>The estimate from a class plan's merged counts (<see cref="ClassPlan.Width"/> integers per cell).</summary>
    /// <param name="counts">The merged counts.</param>
    /// <param name="layout">The cells.</param>
    /// <param name="width">Integers per cell.</param>
    /// <param name="attributes">Sensitive attributes.</param>
    /// <param name="rho">(declared − 1)/(simulated − 1): declared persons per simulated person.</param>
    public static ExpectedSizes Of(ReadOnlySpan<long> counts, CellLayout layout, int width, int attributes, double rho)
    {
        int qis = layout.Levels.Length;
        var population = new double[qis][];
        var extract = new double[qis][];
        for (int q = 0; q < qis; q++)
        {
            population[q] = new double[layout.Levels[q].Categories];
            extract[q] = new double[layout.Levels[q].Categories];
        }

        Span<int> codes = stackalloc int[qis];
        double persons = 0, records = 0;
        var holders = new double[attributes];
        for (int c = 0; c < layout.Cells; c++)
        {
            long all = counts[c * width], f = counts[c * width + 1];
            if (all == 0)
                continue;
            layout.Decode(c, codes);
            for (int q = 0; q < qis; q++)
            {
                population[q][codes[q]] += all;
                extract[q][codes[q]] += f;
            }

            persons += all;
            records += f;
            for (int a = 0; a < attributes; a++)
                holders[a] += counts[c * width + 2 + a];
        }

        var others = new double[layout.Cells];
        var outside = new double[layout.Cells];
        var shares = new double[layout.Cells * attributes];
        double declaredRecords = records * rho, declaredPersons = persons * rho;
        for (int c = 0; c < layout.Cells; c++)
        {
            layout.Decode(c, codes);
            double pPopulation = 1, pExtract = 1;
            for (int q = 0; q < qis; q++)
            {
                pPopulation *= persons > 0 ? population[q][codes[q]] / persons : 0;
                pExtract *= records > 0 ? extract[q][codes[q]] / records : 0;
            }

            others[c] = Math.Max(0, declaredRecords - 1) * pExtract;
            outside[c] = Math.Max(0, Math.Max(0, declaredPersons - 1) * pPopulation - others[c]);
            // The share holding each attribute among a holder's *other* class members (the values are
            // read only for records that hold it): the cell's other holders over its other records,
            // shrunk towards the extract's share.
            long f = counts[c * width + 1];
            for (int a = 0; a < attributes; a++)
            {
                double overall = records > 0 ? holders[a] / records : 0;
                long positives = counts[c * width + 2 + a];
                shares[c * attributes + a] = (Math.Max(0, positives - 1) + PriorRecords * overall) / (Math.Max(0, f - 1) + PriorRecords);
            }
        }

        return new ExpectedSizes(others, outside, shares, attributes);
    }

    /// <summary>Fills cell <paramref name="c"/>'s risk values (<see cref="ClassRisk.Estimated"/>).</summary>
    public void Fill(int c, int k, int highRiskMax, Span<long> cell) =>
        ClassRisk.Estimated(Others[c], Outside[c], Shares.AsSpan(c * Attributes, Attributes), k, highRiskMax, cell);
}
