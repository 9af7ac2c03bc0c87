using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MemristorGrid.Grains.Telemetry;

/// <summary>
/// The ActivitySource and Meter named <c>MemristorGrid</c> and every instrument they emit. Simulated
/// hardware quantities (energy, simulated latency) and the simulator's own cost (wall time) carry
/// different names. Attributes: deployment, layer, tile, chip, silo (where known).
/// </summary>
public static class Instruments
{
    public const string Name = "MemristorGrid";
    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>Simulated energy a tile spent on one lane's samples (cells, TIAs, converters, links).</summary>
    public static readonly Histogram<double> TileEnergy = Meter.CreateHistogram<double>(
        "memristorgrid.tile.energy", "J", "Simulated energy of a tile for one lane's samples.");

    /// <summary>Simulated signal latency of a tile (settling + conversions + hops).</summary>
    public static readonly Histogram<double> TileSimulatedLatency = Meter.CreateHistogram<double>(
        "memristorgrid.tile.simulated_latency", "s", "Simulated latency of a tile.");

    /// <summary>Simulator wall time of one tile evaluation.</summary>
    public static readonly Histogram<double> TileWallTime = Meter.CreateHistogram<double>(
        "memristorgrid.tile.wall_time", "s", "Wall-clock time the simulator spent evaluating a tile for one lane batch.");

    public static readonly Counter<long> TileMvms = Meter.CreateCounter<long>(
        "memristorgrid.tile.mvms", "{mvm}", "Vector-matrix products evaluated by a tile.");

    public static readonly Counter<double> TileAdcConversions = Meter.CreateCounter<double>(
        "memristorgrid.tile.adc_conversions", "{conversion}", "Simulated ADC conversions of a tile.");

    public static readonly Counter<double> InterconnectBytes = Meter.CreateCounter<double>(
        "memristorgrid.interconnect.bytes", "By", "Simulated bytes sent between two chips.");

    /// <summary>Simulated energy outside the tiles (activation circuits, DACs, integrators, controller, readout).</summary>
    public static readonly Histogram<double> PeripheryEnergy = Meter.CreateHistogram<double>(
        "memristorgrid.periphery.energy", "J", "Simulated energy of the circuits outside the tiles for one lane.");

    public static readonly Counter<long> LaneSegments = Meter.CreateCounter<long>(
        "memristorgrid.lane.segments", "{segment}", "Controller periods (segments) integrated by lanes.");

    public static readonly Counter<double> LaneAnalogTime = Meter.CreateCounter<double>(
        "memristorgrid.lane.analog_time", "s", "Simulated physical time integrated by lanes (per sample).");

    public static readonly Counter<long> SamplesCompleted = Meter.CreateCounter<long>(
        "memristorgrid.samples.completed", "{sample}", "Samples whose lane finished.");

    /// <summary>
    /// Histogram bucket boundaries that fit what each histogram records (the SDK's defaults, 0 … 10 000,
    /// put every tile's 2 ms wall time and every nanojoule into the first bucket): wall time from 10 µs to
    /// 10 s, simulated latency from 1 ns to 10 ms, energies per lane from 1 pJ to 10 J, in 1–3 steps.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, double[]> Buckets = new Dictionary<string, double[]>
    {
        [TileWallTime.Name] = Steps(-5, 1),
        [TileSimulatedLatency.Name] = Steps(-9, -2),
        [TileEnergy.Name] = Steps(-12, 1),
        [PeripheryEnergy.Name] = Steps(-12, 1),
    };

    /// <summary>1 and 3 times every power of ten from 10^<paramref name="fromExponent"/> to 10^<paramref name="toExponent"/>,
    /// parsed from their decimal literals so the scrape's <c>le</c> labels read 3E-05, not 3.0000000000000004E-05.</summary>
    private static double[] Steps(int fromExponent, int toExponent) =>
        Enumerable.Range(fromExponent, toExponent - fromExponent + 1)
            .SelectMany(e => e < toExponent ? new[] { $"1e{e}", $"3e{e}" } : [$"1e{e}"])
            .Select(text => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
}
