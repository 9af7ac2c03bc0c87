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

    /// <summary>Simulated energy a tile spent on finished lanes' samples (cells, TIAs, converters, links).
    /// Counters, not histograms, throughout: their series start at zero with the job (<see cref="JobCounters"/>).</summary>
    public static readonly Counter<double> TileEnergy = Meter.CreateCounter<double>(
        "memristorgrid.tile.energy", "J", "Simulated energy of a tile on finished lanes.");

    /// <summary>Simulated signal latency of a tile (settling + conversions + hops).</summary>
    public static readonly Histogram<double> TileSimulatedLatency = Meter.CreateHistogram<double>(
        "memristorgrid.tile.simulated_latency", "s", "Simulated latency of a tile.");

    /// <summary>Simulator wall time of one tile evaluation.</summary>
    public static readonly Histogram<double> TileWallTime = Meter.CreateHistogram<double>(
        "memristorgrid.tile.wall_time", "s", "Wall-clock time the simulator spent evaluating a tile for one lane batch.");

    /// <summary>The attributes of a tile's series on the silo that serves it.</summary>
    public static KeyValuePair<string, object?>[] TileTags(string deployment, Engine.Partitioning.TilePlan tile, string silo) =>
        [new("deployment", deployment), new("layer", tile.Layer), new("tile", tile.Id), new("chip", tile.Chip), new("silo", silo)];

    public static readonly Counter<long> TileMvms = Meter.CreateCounter<long>(
        "memristorgrid.tile.mvms", "{mvm}", "Vector-matrix products evaluated by a tile.");

    public static readonly Counter<double> TileAdcConversions = Meter.CreateCounter<double>(
        "memristorgrid.tile.adc_conversions", "{conversion}", "Simulated ADC conversions of a tile.");

    public static readonly Counter<double> InterconnectBytes = Meter.CreateCounter<double>(
        "memristorgrid.interconnect.bytes", "By", "Simulated bytes sent between two chips.");

    /// <summary>Simulated energy outside the tiles (activation circuits, DACs, integrators, controller, readout).</summary>
    public static readonly Counter<double> PeripheryEnergy = Meter.CreateCounter<double>(
        "memristorgrid.periphery.energy", "J", "Simulated energy of the circuits outside the tiles on finished lanes.");

    public static readonly Counter<long> LaneSegments = Meter.CreateCounter<long>(
        "memristorgrid.lane.segments", "{segment}", "Controller periods (segments) integrated by lanes.");

    public static readonly Counter<double> LaneAnalogTime = Meter.CreateCounter<double>(
        "memristorgrid.lane.analog_time", "s", "Simulated physical time integrated by lanes (per sample).");

    /// <summary>Lanes on this silo by state — <c>waiting</c> for one of its lane slots, or <c>driving</c> — whichever
    /// job they belong to: a silo with lanes waiting is saturated, one with none waiting can take more.</summary>
    public static readonly UpDownCounter<int> SiloLanes = Meter.CreateUpDownCounter<int>(
        "memristorgrid.silo.lanes", "{lane}", "Lanes on this silo, waiting for a lane slot or driving.");

    /// <summary>Samples whose lane finished, per deployment and job (<see cref="JobCounters"/>).</summary>
    public static readonly Counter<long> SamplesCompleted = Meter.CreateCounter<long>(
        "memristorgrid.samples.completed", "{sample}", "Samples whose lane finished.");

    /// <summary>Simulated energy of finished lanes per deployment, job and part (tiles, periphery): a
    /// counter rather than a histogram so that its series can exist at zero from a job's start.</summary>
    public static readonly Counter<double> Energy = Meter.CreateCounter<double>(
        "memristorgrid.energy", "J", "Simulated energy of finished lanes (tiles and periphery).");

    /// <summary>
    /// Histogram bucket boundaries that fit what each histogram records (the SDK's defaults, 0 … 10 000,
    /// put every tile's 2 ms wall time and every nanojoule into the first bucket): wall time from 100 ns (a small tile's evaluation can take under a microsecond) to
    /// 10 s and simulated latency from 1 ns to 10 ms, in 1–3 steps.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, double[]> Buckets = new Dictionary<string, double[]>
    {
        [TileWallTime.Name] = Steps(-7, 1),
        [TileSimulatedLatency.Name] = Steps(-9, -2),
    };

    /// <summary>1 and 3 times every power of ten from 10^<paramref name="fromExponent"/> to 10^<paramref name="toExponent"/>,
    /// parsed from their decimal literals so the scrape's <c>le</c> labels read 3E-05, not 3.0000000000000004E-05.</summary>
    private static double[] Steps(int fromExponent, int toExponent) =>
        Enumerable.Range(fromExponent, toExponent - fromExponent + 1)
            .SelectMany(e => e < toExponent ? new[] { $"1e{e}", $"3e{e}" } : [$"1e{e}"])
            .Select(text => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
}
