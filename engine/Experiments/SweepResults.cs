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

    /// <summary>Modes of a labelled reference (classes, or a mixture's components) the samples recovered, and the mode-weight
    /// error (<see cref="Metrics.ModeCoverage"/>); null when the reference has no labels.</summary>
    public int? ModesRecovered { get; init; }
    public double? ModeWeightError { get; init; }
    public double EnergyPerSampleJoules { get; init; }

    /// <summary>The energy per sample's band over the profile's figures (<see cref="Accounting.EnergyLine"/>); null for cells kept before bands existed.</summary>
    public double? EnergyPerSampleLowJoules { get; init; }
    public double? EnergyPerSampleHighJoules { get; init; }
    public double TimePerSampleSeconds { get; init; }
    public double NetworkEvaluationsPerSample { get; init; }
    public double EmbeddingDacOverflowFraction { get; init; }
    public long SaturatedTileOutputs { get; init; }
    public long IntegratorRailClips { get; init; }

    /// <summary>SHA-256 of the samples (float32, little-endian) and their labels: equal hashes, equal samples.</summary>
    public string SamplesSha256 { get; init; } = "";

    /// <summary>Simulator wall time of the cell (the one field that is not a function of the cell's id).</summary>
    public double WallSeconds { get; init; }

    /// <summary>The quality figures alone (a digital sampler's samples, which have no hardware cost).</summary>
    public static CellMetrics OfQuality(QualityReport? quality, Latent.ImageQualityReport? images) => new()
    {
        KlPaper = quality?.KlPaper,
        Kl2D = quality?.Kl2D,
        EnergyDistance = quality?.EnergyDistance,
        ClassAccuracy = quality?.ClassAccuracy?.Overall,
        DecodedClassAccuracy = images?.Pooled.ClassAccuracy,
        FrechetDistance = images?.Pooled.FrechetDistance,
        ModesRecovered = quality?.Modes?.Recovered,
        ModeWeightError = quality?.Modes?.WeightError,
    };

    public static CellMetrics From(AnalogRunResult result, QualityReport? quality, Latent.ImageQualityReport? images = null, IReadOnlyList<Accounting.EnergyLine>? lines = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(result.Samples.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes(result.Labels.AsSpan()));
        var c = result.Counters;
        return OfQuality(quality, images) with
        {
            EnergyPerSampleJoules = result.EnergyPerSampleJoules,
            EnergyPerSampleLowJoules = lines?.Sum(l => l.LowJoulesPerSample),
            EnergyPerSampleHighJoules = lines?.Sum(l => l.HighJoulesPerSample),
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
        var front = ParetoFront(points.Select(p => new ParetoCandidate(p.Energy.Mean, p.Energy.StandardError,
            p.Quality is { } q ? sign * q.Mean : double.NaN, p.Quality?.StandardError ?? 0)).ToList());
        return points.Select((p, i) => p with { OnParetoFront = front[i] }).ToList();
    }

    /// <summary>Energy differences below this fraction are ties whatever the chips' spread: a simulator whose energy
    /// rests on assumed figures cannot rank configurations on parts per million (a sweep once starred one on 2 ppm).</summary>
    public const double EnergyTieFraction = 1e-4;

    /// <summary>
    /// Which points no other point beats in both cost and loss (both minimised; NaN loss is never on the front),
    /// where "beats" must be told apart from chip-to-chip spread: a difference within two standard errors of the
    /// difference (and, for cost, within <see cref="EnergyTieFraction"/>) is a tie. So q excludes p only when q is
    /// no worse in both within that noise and clearly better in one; points indistinguishable from each other are
    /// on the front together or not at all.
    /// </summary>
    public static bool[] ParetoFront(IReadOnlyList<ParetoCandidate> points) =>
        points.Select((p, i) => !double.IsNaN(p.Loss) && !points.Where((q, j) => j != i && !double.IsNaN(q.Loss)).Any(q => q.ClearlyBeats(p))).ToArray();

    /// <summary>Exact comparison (no spread), for points without standard errors.</summary>
    public static bool[] ParetoFront(IReadOnlyList<(double Cost, double Loss)> points) =>
        ParetoFront(points.Select(p => new ParetoCandidate(p.Cost, 0, p.Loss, 0)).ToList());
}

/// <summary>A configuration as the Pareto front sees it: cost and loss (both minimised), each with its standard error.</summary>
public readonly record struct ParetoCandidate(double Cost, double CostError, double Loss, double LossError)
{
    public bool ClearlyBeats(ParetoCandidate other)
    {
        double costTie = Math.Max(2 * Math.Sqrt(CostError * CostError + other.CostError * other.CostError), SweepSummary.EnergyTieFraction * Math.Abs(other.Cost));
        double lossTie = 2 * Math.Sqrt(LossError * LossError + other.LossError * other.LossError);
        bool noWorse = Cost <= other.Cost + costTie && Loss <= other.Loss + lossTie;
        bool clearlyBetter = Cost < other.Cost - costTie || Loss < other.Loss - lossTie;
        return noWorse && clearlyBetter;
    }
}
