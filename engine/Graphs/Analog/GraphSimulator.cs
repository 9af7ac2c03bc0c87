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
        var samples = new float[count * d];
        var counters = new LaneCounters();
        var cellEnergy = new double[tiles];
        var mvms = new long[tiles];
        foreach (var lane in lanes)
        {
            for (int j = 0; j < lane.X.Length; j++) samples[lane.FirstSample * d + j] = (float)lane.X[j];
            counters += lane.Counters;
            for (int t = 0; t < tiles; t++) { cellEnergy[t] += lane.TileCellEnergyJoules[t]; mvms[t] += lane.TileMvms[t]; }
        }
        return GraphRunResult.Of(samples, labels, d, counters, cellEnergy, mvms, design, timing, wall);
    }
}
