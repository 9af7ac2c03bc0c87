using System.Text.Json.Serialization;
using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Crossbars;

namespace MemristorGrid.Engine.Runs;

/// <summary>
/// <c>report.json</c> of one analog run, typed. Keys are snake_case of the property names (explicit where that
/// would differ from what earlier versions wrote); a key may be added, and one renamed only with a note in
/// docs/architecture.md (a test diffs the key set against <c>tests/golden/report-keys.txt</c>). The order of the
/// properties is the order of the file. Built by <see cref="RunReportBuilder"/>, read back by <c>--baseline-report</c>
/// and by tests, rendered by the client's report.md writer: no key is spelled anywhere else.
/// </summary>
public sealed record RunReport
{
    // What ran: settings.
    public string Kind { get; init; } = "analog";
    public required string Simulator { get; init; }
    public required string Model { get; init; }
    public required string Profile { get; init; }
    public required string ProfileSource { get; init; }

    /// <summary>The profile's device model by name, and where its figures come from (another chip's, when borrowed).</summary>
    public required string Device { get; init; }
    public required string DeviceSource { get; init; }
    public required string Sampler { get; init; }
    public required string Solver { get; init; }
    public required int Samples { get; init; }
    public required double ScheduleScale { get; init; }
    public required float Guidance { get; init; }
    public required ulong Seed { get; init; }
    public required ulong ProgramSeed { get; init; }
    public required int LaneSize { get; init; }
    public required string? Placement { get; init; }
    public required double Rtol { get; init; }
    public required double Atol { get; init; }
    public required int ContinuousSegments { get; init; }
    public required string? Reference { get; init; }

    /// <summary>Where the samples were scored: "client" (this process) or "cluster" (a silo, for a run joined to one).</summary>
    public string ScoredOn { get; init; } = RunReportBuilder.ScoredInClient;

    // Quality (null without reference data).
    public required double? KlPaper { get; init; }
    [JsonPropertyName("kl_2d")] public required double? Kl2D { get; init; }
    public required double? EnergyDistance { get; init; }
    /// <summary>How the samples cover the reference's modes (classes, or a mixture's labelled components); absent for an unlabelled reference.</summary>
    public Metrics.ModeCoverage? ModeCoverage { get; init; }

    // Time and energy.
    public required double WallSeconds { get; init; }
    public required double SecondsPerSample { get; init; }
    public required double EnergyPerSampleJoules { get; init; }

    /// <summary>The samples' cell energy: median, largest, and samples beyond 100× the median (runaways; a warning names them).</summary>
    public Accounting.SampleEnergyStatistics? SampleCellEnergy { get; init; }
    public required double TimePerSampleSeconds { get; init; }
    public required double GenerationSeconds { get; init; }
    public required double LoopDelaySeconds { get; init; }
    public required double ResetSeconds { get; init; }
    public required OpampPower OpampPowerWatts { get; init; }

    /// <summary>What the loop's physics allows: its delay and gain, RC_min, RC_opt, the RC used and its noise (<see cref="Accounting.LoopAnalysis"/>).</summary>
    public required Accounting.LoopReport Loop { get; init; }

    // Counters.
    public required int ControllerUpdates { get; init; }
    public required long NetworkEvaluations { get; init; }
    public required double NetworkEvaluationsPerLane { get; init; }
    public required double NetworkEvaluationsPerSample { get; init; }
    public required int Lanes { get; init; }
    public required long AcceptedSteps { get; init; }
    public required long RejectedSteps { get; init; }
    public required long TileInputOverflows { get; init; }
    public required long SaturatedTileOutputs { get; init; }
    public required long EmbeddingDacOverflows { get; init; }
    public required double EmbeddingDacOverflowFraction { get; init; }
    public required long IntegratorRailClips { get; init; }
    public required long ScoreAdcOverflows { get; init; }
    public required long TileAdcOverflows { get; init; }
    public required int LaneRetries { get; init; }

    // Conditional runs.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Labels { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? ClassAccuracy { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, double>? ClassAccuracyPerClass { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, ClassQualityEntry>? PerClass { get; init; }

    // Energy, tiles, programming, layers, links.
    public required IReadOnlyDictionary<string, double> EnergyBreakdownJoules { get; init; }
    public required EnergyBasis EnergyBasis { get; init; }

    /// <summary>Every energy component per sample with its band, basis and the parameters it rests on (their nodes and sources).</summary>
    public required IReadOnlyList<Accounting.EnergyLine> EnergyLines { get; init; }
    public required double EnergyTotalJoules { get; init; }
    public required IReadOnlyList<TileReport> Tiles { get; init; }
    public required ProgrammingSection Program { get; init; }
    public required IReadOnlyList<LayerEntry> Layers { get; init; }
    public required double ArrayUtilisation { get; init; }
    public required double OpsPerJoule { get; init; }
    public required IReadOnlyList<LinkEntry> Links { get; init; }

    // Latent models: the decoded images.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ImagesSection? Images { get; init; }

    // Added by the typed-run change: the readout's conversion time (a part of time_per_sample_seconds), warnings, provenance.
    public double ReadoutSeconds { get; init; }

    /// <summary>Embedding DAC channel values driven (the denominator of <see cref="EmbeddingDacOverflowFraction"/>).</summary>
    public long EmbeddingDacUpdates { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Every counter the lanes keep, by name (the flat counter keys above are a selection of these, kept for readers of earlier reports).</summary>
    public IReadOnlyDictionary<string, long> Counters { get; init; } = new Dictionary<string, long>();
    public Provenance? Provenance { get; init; }

    /// <summary>Chips the tiles occupy.</summary>
    [JsonIgnore] public int ChipCount => Tiles.Select(t => t.Chip).Distinct().Count();
}

/// <summary>Static power of each op-amp kind and where it comes from.</summary>
/// <param name="Basis">bandwidth (the power each needs for its bandwidth × the profile's µW/MHz figure) or explicit.</param>
public sealed record OpampPower(double Tia, double Activation, double Integrator, string Basis)
{
    /// <summary>The profile's power per bandwidth (W/Hz) when <see cref="Basis"/> is bandwidth.</summary>
    public double? WattsPerHertz { get; init; }
}

/// <summary>How much of the energy rests on sourced figures and how much on assumptions.</summary>
public sealed record EnergyBasis(double SourcedShare, double AssumedShare, IReadOnlyDictionary<string, string> SourcedComponents);

/// <summary>One class of a conditional run against that class's reference points.</summary>
public sealed record ClassQualityEntry(int Samples, double KlPaper, double EnergyDistance, double? ClassAccuracy);

/// <summary>Traffic between two chips over the run.</summary>
public sealed record LinkEntry(int FromChip, int ToChip, int Signals, double Bits, double EnergyJoules);

/// <summary>One layer's roll-up (see <see cref="LayerRollup"/>).</summary>
public sealed record LayerEntry(int Layer, int Tiles, int Chips, long UsedDevices, long TileDevices, double Utilisation, long Mvms, double Ops,
    double TileEnergyJoules, double OpsPerJoule);

/// <summary>A latent run's decoded images: pooled and per class.</summary>
public sealed record ImagesSection(string Decoder, string Metric, int FeatureWidth, ImageQualityEntry Pooled, IReadOnlyDictionary<string, ImageQualityEntry> PerClass)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public AnalogDecoderEntry? AnalogDecoder { get; init; }
}

/// <summary>Image metrics of one class (or pooled); a figure that cannot be computed is null.</summary>
public sealed record ImageQualityEntry(int Samples, int ReferenceImages, double? ClassAccuracy, double? FrechetDistance, double? LatentKlPaper);

/// <summary>The analog decoder's own tiles and what they counted.</summary>
public sealed record AnalogDecoderEntry(int Tiles, int Chips, long MvmCount, long TileInputOverflows, long SaturatedTileOutputs, long ClippedActivations, double CellEnergyJoules);
