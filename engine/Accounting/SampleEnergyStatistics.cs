namespace MemristorGrid.Engine.Accounting;

/// <summary>
/// The spread of the samples' cell energy (∫ΣV²G dt over every tile, each sample's own), to catch samples whose signals ran
/// away: the cells' power grows with the square of the signals, so a sample whose energy is <see cref="RunawayFactor"/> times
/// the median sample's has signals ten times the typical (rails bound them on every preset; a rail-less profile does not).
/// The median is over every sample of the run, so the figures do not depend on how samples were cut into lanes.
/// </summary>
public sealed record SampleEnergyStatistics(double MedianJoules, double MaxJoules, long Runaways, long Samples)
{
    public const double RunawayFactor = 100;

    /// <summary>The statistics of <paramref name="energies"/> (one per sample), or null when there are none.</summary>
    public static SampleEnergyStatistics? Of(double[] energies) => energies.Length == 0 ? null : OfSorting((double[])energies.Clone());

    /// <summary>As <see cref="Of"/>, sorting <paramref name="energies"/> in place (a caller's scratch: no copy of a
    /// million-sample array at the end of a large run).</summary>
    public static SampleEnergyStatistics? OfSorting(double[] energies)
    {
        if (energies.Length == 0) return null;
        var sorted = energies;
        Array.Sort(sorted);
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
        long runaways = median > 0 ? sorted.LongCount(e => e > RunawayFactor * median) : 0;
        return new SampleEnergyStatistics(median, sorted[^1], runaways, n);
    }

    /// <summary>The warning a report gives when samples ran away, else null.</summary>
    public string? Warning() => Runaways == 0 ? null : FormattableString.Invariant(
        $"{Runaways} of {Samples} samples drew more than {RunawayFactor:G3}× the median sample's cell energy (the largest {MaxJoules / MedianJoules:G3}×): their signals ran away, and the energy per sample grows with their square");
}
