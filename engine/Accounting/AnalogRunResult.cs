using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Accounting;

/// <summary>Per-tile cost of a run (energy over all samples).</summary>
public sealed record TileReport(
    string Id, int Layer, int Chip,
    double EnergyJoules, double CellEnergyJoules, double TiaEnergyJoules, double ConverterEnergyJoules, double LinkEnergyJoules,
    long MvmCount, double AdcConversions, double SimulatedLatencySeconds);

/// <summary>Digitised traffic between two chips over the run.</summary>
public sealed record ChipLink(int From, int To, int Signals, double Bits, double EnergyJoules);

/// <summary>Energy of a run by component (joules, all samples). The first three are the tiles' own.</summary>
public sealed record EnergyBreakdown(
    double CrossbarCells, double Tia, double TileConverters, double Interconnect, double ActivationCircuits,
    double EmbeddingDacs, double CoefficientDacs, double NoiseDacs, double Integrators, double Controller, double ReadoutAdc,
    double InitialConditionDacs)
{
    /// <summary>No energy in any component (its keys name every component).</summary>
    public static readonly EnergyBreakdown None = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Every component under its report key, in display order: the tiles' own, then the periphery.</summary>
    public IReadOnlyList<(string Key, double Joules)> Components =>
        [("crossbar_cells", CrossbarCells), ("tia", Tia), ("tile_converters", TileConverters), .. Periphery(tileLinkJoules: 0)];

    /// <summary>The components outside the tiles; the interconnect without the tiles' own links
    /// (<paramref name="tileLinkJoules"/>, which the per-tile reports carry).</summary>
    public IReadOnlyList<(string Key, double Joules)> Periphery(double tileLinkJoules) =>
    [
        ("interconnect", Interconnect - tileLinkJoules), ("activation_circuits", ActivationCircuits), ("embedding_dacs", EmbeddingDacs),
        ("coefficient_dacs", CoefficientDacs), ("noise_dacs", NoiseDacs), ("integrators", Integrators), ("controller", Controller), ("readout_adc", ReadoutAdc),
        ("initial_condition_dacs", InitialConditionDacs),
    ];

    public double Total
    {
        get
        {
            double total = 0;
            foreach (var (_, joules) in Components) total += joules;
            return total;
        }
    }
}

/// <summary>What an analog generation run produced and cost.</summary>
public sealed record AnalogRunResult
{
    public required float[] Samples { get; init; }
    public required int[] Labels { get; init; }
    public required int Dim { get; init; }
    public required IReadOnlyList<TileReport> Tiles { get; init; }
    public required EnergyBreakdown Energy { get; init; }
    public required IReadOnlyList<ChipLink> Links { get; init; }
    public double TotalEnergyJoules => Energy.Total;
    public int SampleCount => Samples.Length / Dim;
    public double EnergyPerSampleJoules => TotalEnergyJoules / Math.Max(1, SampleCount);

    /// <summary>Simulated physical time of one sample: loop settling + integration + readout.</summary>
    public required double TimePerSampleSeconds { get; init; }
    public required double GenerationSeconds { get; init; }
    public required double LoopDelaySeconds { get; init; }
    public required int Segments { get; init; }

    /// <summary>Controller updates per sample (0 for a continuous controller).</summary>
    public required int ControllerUpdates { get; init; }
    public required int Lanes { get; init; }

    /// <summary>Samples per lane the run was cut into (set by whoever cut it).</summary>
    public int LaneSize { get; init; }
    public required LaneCounters Counters { get; init; }

    /// <summary>Simulator wall time (set by whoever ran the job).</summary>
    public TimeSpan Wall { get; init; }

    /// <summary>Lane windows re-driven after a failure (grain runs only).</summary>
    public int LaneRetries { get; init; }

    /// <summary>The spread of the samples' cell energy; null when the lanes kept none.</summary>
    public SampleEnergyStatistics? SampleCellEnergy { get; init; }

    /// <summary>Energy outside the tiles by component (the tiles' links are in <see cref="TileReport.LinkEnergyJoules"/>).</summary>
    public IReadOnlyList<(string Key, double Joules)> PeripheryEnergy() => Energy.Periphery(Tiles.Sum(t => t.LinkEnergyJoules));
}
