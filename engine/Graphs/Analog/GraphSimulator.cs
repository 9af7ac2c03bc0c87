using System.Diagnostics;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Engine.Solvers;

namespace MemristorGrid.Engine.Graphs.Analog;

/// <summary>What a general graph's analog run produced and counted.</summary>
public sealed record GraphRunResult(float[] Samples, int[] Labels, int Dim, LaneCounters Counters, GraphPassCounts Pass, double[] TileCellEnergyJoules,
    long[] TileMvms, GraphLoopDesign Design, RunTiming Timing, TimeSpan Wall)
{
    /// <summary>A run's result from its lanes' totals (the pass counts are read from the counters).</summary>
    public static GraphRunResult Of(float[] samples, int[] labels, int dim, LaneCounters counters, double[] tileCellEnergyJoules, long[] tileMvms,
        GraphLoopDesign design, RunTiming timing, TimeSpan wall) =>
        new(samples, labels, dim, counters, GraphLoop.Of(counters, tileMvms.Sum()), tileCellEnergyJoules, tileMvms, design, timing, wall);
}

/// <summary>
/// A general graph (a U-Net) sampled on the analog machine in one process: the graph programmed onto its
/// tiles (<see cref="AnalogGraph"/>), the loop timed from its critical path (<see cref="GraphLoopDesign"/>),
/// lanes of samples integrated through analog time by the MLP's solvers, integrator channels and
/// coefficient DACs. Every draw is keyed by (seed, stream, global sample), so the samples do not depend on
/// the lane size or the thread count.
/// </summary>
public static class GraphSimulator
{
    public static GraphRunResult Run(AnalogGraph machine, GraphLoopDesign design, AnalogRunOptions options, int count, int[] labels,
        int laneSize = 0, int threads = 0, IProgress<double>? progress = null, CancellationToken cancel = default)
    {
        LaneSchedule.Check(count, labels);
        var stopwatch = Stopwatch.StartNew();
        var driver = new GraphLaneDriver(machine, design.Profile, options);
        var timing = driver.Timing;
        int d = driver.Dim, tiles = machine.Plan.Tiles.Count;
        var chips = machine.AllChips();
        int parallelism = threads > 0 ? threads : Environment.ProcessorCount;
        laneSize = laneSize > 0 ? laneSize : LaneSchedule.AutoLaneSize(count, 2 * parallelism);
        var slices = LaneSchedule.Lanes(count, laneSize);
        var lanes = slices.Select(slice => driver.CreateLane(slice.First, slice.Count, slice.LabelsOf(labels))).ToArray();
        long done = 0, total = (long)lanes.Length * timing.SegmentCount;
        Parallel.For(0, lanes.Length, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancel }, l =>
        {
            var lane = lanes[l];
            var transport = new LocalGraphTransport(chips);
            var workspace = new GraphLaneWorkspace();
            while (!driver.IsDone(lane))
            {
                // Local tiles answer synchronously: this completes without blocking.
                driver.AdvanceAsync(lane, transport, 1, workspace, cancel).AsTask().GetAwaiter().GetResult();
                progress?.Report((double)Interlocked.Increment(ref done) / total);
            }
        });
        return Collect(lanes, labels, count, d, tiles, design, timing, stopwatch.Elapsed);
    }

    /// <summary>The run's samples and totals from its finished lanes (in any order: each lane knows its first sample).</summary>
    public static GraphRunResult Collect(IReadOnlyList<LaneState> lanes, int[] labels, int count, int d, int tiles, GraphLoopDesign design, RunTiming timing, TimeSpan wall)
    {
        var totals = GraphLaneTotals.Fold(lanes, count, d, tiles);
        return GraphRunResult.Of(totals.Samples, labels, d, totals.Counters, totals.TileCellEnergyJoules, totals.TileMvms, design, timing, wall);
    }
}
