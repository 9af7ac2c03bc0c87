namespace MemristorGrid.Engine.Analog;

/// <summary>Per-tile cost of a run (energy over all samples).</summary>
public sealed record TileReport(
    string Id, int Layer, int Chip,
    double EnergyJoules, double CellEnergyJoules, double TiaEnergyJoules, double ConverterEnergyJoules, double LinkEnergyJoules,
    long MvmCount, double AdcConversions, double SimulatedLatencySeconds);

/// <summary>Digitised traffic between two chips over the run.</summary>
public sealed record ChipLink(int From, int To, int Signals, double Bits, double EnergyJoules);

/// <summary>What an analog generation run produced and cost.</summary>
public sealed record AnalogRunResult
{
    public required float[] Samples { get; init; }
    public required int[] Labels { get; init; }
    public required int Dim { get; init; }
    public required IReadOnlyList<TileReport> Tiles { get; init; }

    /// <summary>Energy by component over the whole run (joules), in a fixed display order.</summary>
    public required IReadOnlyList<KeyValuePair<string, double>> EnergyBreakdown { get; init; }
    public required IReadOnlyList<ChipLink> Links { get; init; }
    public double TotalEnergyJoules => EnergyBreakdown.Sum(e => e.Value);
    public double EnergyPerSampleJoules => TotalEnergyJoules / Math.Max(1, Samples.Length / Dim);

    /// <summary>Simulated physical time of one sample: loop settling + integration + readout.</summary>
    public required double TimePerSampleSeconds { get; init; }
    public required double GenerationSeconds { get; init; }
    public required double LoopDelaySeconds { get; init; }
    public required int Segments { get; init; }
    public required int Lanes { get; init; }
    public required long NetworkEvaluations { get; init; }
    public required long AcceptedSteps { get; init; }
    public required long RejectedSteps { get; init; }
    public required long InputOverflows { get; init; }
    public required long SaturatedOutputs { get; init; }
    public required long EmbeddingOverflows { get; init; }
    public required long EmbeddingValues { get; init; }
    public required long IntegratorClips { get; init; }
    public required TimeSpan Wall { get; init; }

    /// <summary>Lane windows re-driven after a failure (grain runs only).</summary>
    public int LaneRetries { get; init; }
}
