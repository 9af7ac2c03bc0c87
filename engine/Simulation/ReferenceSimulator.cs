using System.Diagnostics;
using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Simulation;

/// <summary>
/// The whole analog machine in one process: program every tile, split the samples into lanes and
/// drive each lane through analog time with the shared <see cref="LaneDriver"/> over local tiles.
/// The oracle the distributed run is checked against.
/// </summary>
public static class ReferenceSimulator
{
    /// <summary>Programs every tile of <paramref name="plan"/> (in parallel; each tile is a pure function of its inputs).</summary>
    public static CrossbarTile[] Program(DeploymentPlan plan, ScoreNetwork network, HardwareProfile profile, ulong programSeed)
    {
        var tiles = new CrossbarTile[plan.Tiles.Count];
        Parallel.For(0, tiles.Length, i => tiles[i] = CrossbarTile.Program(plan.Tiles[i], network, profile, programSeed));
        return tiles;
    }

    /// <param name="threads">Lanes run at once; 0 = one per processor. Samples do not depend on it (benchmarks
    /// set 1 to compare CPU cost with single-threaded digital inference).</param>
    public static AnalogRunResult Run(ScoreNetwork network, HardwareProfile profile, AnalogRunOptions options, int count, int[] labels,
        IProgress<double>? progress = null, CancellationToken cancel = default, int threads = 0)
    {
        LaneSchedule.Check(count, labels);
        var stopwatch = Stopwatch.StartNew();
        profile = Accounting.LoopDesigner.Ensure(network, profile, options);
        var plan = DeploymentPlan.Create(network, profile.Mapping);
        var driver = new LaneDriver(network, profile, plan, options, LabelEncoder.Of(network));
        var transport = new LocalChipTransport(network, plan, profile, Program(plan, network, profile, options.ProgramSeed));
        int parallelism = threads > 0 ? threads : Environment.ProcessorCount;
        int laneSize = options.LaneSize > 0 ? options.LaneSize : LaneSchedule.AutoLaneSize(count, 2 * parallelism, LaneSchedule.MaxLaneSizeFor(plan));
        var lanes = LaneSchedule.Lanes(count, laneSize).Select(slice => driver.CreateLane(slice, labels)).ToArray();
        long done = 0, total = (long)lanes.Length * driver.SegmentCount;
        Parallel.ForEach(lanes, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancel }, lane =>
        {
            var workspace = new LaneWorkspace();
            while (!driver.IsDone(lane))
            {
                int before = lane.Segment;
                // Local tiles answer synchronously, so this completes without blocking a thread.
                driver.AdvanceAsync(lane, transport, LaneSchedule.WindowSegments, workspace, cancel).AsTask().GetAwaiter().GetResult();
                long now = Interlocked.Add(ref done, lane.Segment - before);
                progress?.Report((double)now / total);
            }
        });
        return HardwareAccounting.Summarise(driver.Timing, plan, options, network.InputDim, profile, lanes) with { Wall = stopwatch.Elapsed, LaneSize = laneSize };
    }
}
