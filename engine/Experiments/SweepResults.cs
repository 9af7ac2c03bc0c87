using System.Runtime.InteropServices;
using System.Security.Cryptography;
using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Metrics;

namespace MemristorGrid.Engine.Experiments;

/// <summary>What one finished cell measured: its quality against the reference and its hardware cost.</summary>
public sealed record CellMetrics
{
    public double? KlPaper { get; init; }
    public double? Kl2D { get; init; }
    public double? EnergyDistance { get; init; }
    public double? ClassAccuracy { get; init; }

    /// <summary>Latent models: the VAE classifier's accuracy on the decoded images, and their Fréchet distance to real ones.</summary>
    public double? DecodedClassAccuracy { get; init; }
    public double? FrechetDistance { get; init; }
    public double EnergyPerSampleJoules { get; init; }
    public double TimePerSampleSeconds { get; init; }
    public double NetworkEvaluationsPerSample { get; init; }
    public double EmbeddingDacOverflowFraction { get; init; }
    public long SaturatedTileOutputs { get; init; }
    public long IntegratorRailClips { get; init; }

    /// <summary>SHA-256 of the samples (float32, little-endian) and their labels: equal hashes, equal samples.</summary>
    public string SamplesSha256 { get; init; } = "";

    /// <summary>Simulator wall time of the cell (the one field that is not a function of the cell's id).</summary>
    public double WallSeconds { get; init; }

    public static CellMetrics From(AnalogRunResult result, QualityReport? quality, Latent.ImageQualityReport? images = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(result.Samples.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes(result.Labels.AsSpan()));
        var c = result.Counters;
        return new CellMetrics
        {
            KlPaper = quality?.KlPaper,
            Kl2D = quality?.Kl2D,
            EnergyDistance = quality?.EnergyDistance,
            ClassAccuracy = quality?.ClassAccuracy?.Overall,
            DecodedClassAccuracy = images?.Pooled.ClassAccuracy,
            FrechetDistance = images?.Pooled.FrechetDistance,
            EnergyPerSampleJoules = result.EnergyPerSampleJoules,
            TimePerSampleSeconds = result.TimePerSampleSeconds,
            NetworkEvaluationsPerSample = (double)c.SampleEvaluations / result.SampleCount,
            EmbeddingDacOverflowFraction = c.EmbeddingValues > 0 ? (double)c.EmbeddingOverflows / c.EmbeddingValues : 0,
            SaturatedTileOutputs = c.SaturatedOutputs,
            IntegratorRailClips = c.IntegratorClips,
            SamplesSha256 = Convert.ToHexStringLower(hash.GetHashAndReset()),
            WallSeconds = result.Wall.TotalSeconds,
        };
    }
}

/// <summary>The quality metric a sweep ranks configurations by.</summary>
public enum SweepMetric { KlPaper, Kl2D, EnergyDistance, ClassAccuracy, DecodedClassAccuracy, FrechetDistance }

public static class SweepMetrics
{
    public static string Key(this SweepMetric metric) => metric switch
    {
        SweepMetric.KlPaper => "kl_paper",
        SweepMetric.Kl2D => "kl_2d",
        SweepMetric.EnergyDistance => "energy_distance",
        SweepMetric.DecodedClassAccuracy => "decoded_class_accuracy",
        SweepMetric.FrechetDistance => "frechet_distance",
        _ => "class_accuracy",
    };

    public static bool HigherIsBetter(this SweepMetric metric) => metric is SweepMetric.ClassAccuracy or SweepMetric.DecodedClassAccuracy;

    /// <summary>Metrics of decoded images, which only latent models have.</summary>
    public static bool NeedsDecoder(this SweepMetric metric) => metric is SweepMetric.DecodedClassAccuracy or SweepMetric.FrechetDistance;

    public static double? Of(this SweepMetric metric, CellMetrics m) => metric switch
    {
        SweepMetric.KlPaper => m.KlPaper,
        SweepMetric.Kl2D => m.Kl2D,
        SweepMetric.EnergyDistance => m.EnergyDistance,
        SweepMetric.DecodedClassAccuracy => m.DecodedClassAccuracy,
        SweepMetric.FrechetDistance => m.FrechetDistance,
        _ => m.ClassAccuracy,
    };
}

/// <summary>Mean and standard error of the mean over a configuration's chips.</summary>
public sealed record ChipStatistics(double Mean, double StandardError, int Chips)
{
    public static ChipStatistics Of(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double se = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1) / values.Count);
        return new ChipStatistics(mean, se, values.Count);
    }
}

/// <summary>One configuration of a sweep (a model at one setting of every axis), over its chips.</summary>
public sealed record SweepPoint(SweepModel Model, IReadOnlyList<string> Settings, IReadOnlyList<SweepCell> Cells,
    ChipStatistics? Quality, ChipStatistics Energy, ChipStatistics Time, bool OnParetoFront);

/// <summary>Configurations aggregated over chips, and the energy–quality Pareto front among them.</summary>
public static class SweepSummary
{
    public static IReadOnlyList<SweepPoint> Aggregate(SweepPlan plan, IReadOnlyDictionary<string, CellMetrics> results, SweepMetric metric)
    {
        var groups = plan.Cells.GroupBy(c => c.ConfigurationKey).Select(g => g.ToList()).ToList();
        var points = groups.Select(cells =>
        {
            var measured = cells.Select(c => results[c.Id]).ToList();
            var quality = measured.Select(m => metric.Of(m)).ToList();
            return new SweepPoint(cells[0].Model, cells[0].Settings, cells,
                quality.All(q => q.HasValue) ? ChipStatistics.Of(quality.Select(q => q!.Value).ToList()) : null,
                ChipStatistics.Of(measured.Select(m => m.EnergyPerSampleJoules).ToList()),
                ChipStatistics.Of(measured.Select(m => m.TimePerSampleSeconds).ToList()), false);
        }).ToList();
        double sign = metric.HigherIsBetter() ? -1 : 1;
        var front = ParetoFront(points.Select(p => (p.Energy.Mean, p.Quality is { } q ? sign * q.Mean : double.NaN)).ToList());
        return points.Select((p, i) => p with { OnParetoFront = front[i] }).ToList();
    }

    /// <summary>Which points no other point beats in both cost and loss (both minimised; NaN loss is never on the front).</summary>
    public static bool[] ParetoFront(IReadOnlyList<(double Cost, double Loss)> points) =>
        points.Select((p, i) => !double.IsNaN(p.Loss) && !points.Where((q, j) => j != i && !double.IsNaN(q.Loss)).Any(q =>
            q.Cost <= p.Cost && q.Loss <= p.Loss && (q.Cost < p.Cost || q.Loss < p.Loss))).ToArray();
}
