using System.Diagnostics;
using MemristorGrid.Engine.Hardware;
using MemristorGrid.Engine.Networks;

namespace MemristorGrid.Engine.Analog;

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

    /// <summary>Lanes of at most <paramref name="laneSize"/> consecutive samples.</summary>
    public static IEnumerable<(long First, int Count)> Lanes(int count, int laneSize)
    {
        for (long first = 0; first < count; first += laneSize) yield return (first, (int)Math.Min(laneSize, count - first));
    }

    public static AnalogRunResult Run(ScoreNetwork network, HardwareProfile profile, AnalogRunOptions options, int count, int[] labels,
        IProgress<double>? progress = null, CancellationToken cancel = default)
    {
        if (count < 1) throw new UserInputException($"--samples must be at least 1 (got {count})");
        if (labels.Length != 0 && labels.Length != count) throw new ArgumentException("one label per sample expected");
        var stopwatch = Stopwatch.StartNew();
        var plan = DeploymentPlan.Create(network, profile.Mapping);
        var driver = new LaneDriver(network, profile, plan, options);
        var transport = new LocalTileTransport(Program(plan, network, profile, options.ProgramSeed));
        var lanes = Lanes(count, options.LaneSize)
            .Select(l => driver.CreateLane(l.First, l.Count, labels.Length == 0 ? [] : labels.AsSpan((int)l.First, l.Count).ToArray()))
            .ToArray();
        long done = 0, total = (long)lanes.Length * driver.SegmentCount;
        const int window = 8;
        Parallel.ForEach(lanes, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancel }, lane =>
        {
            var workspace = new LaneWorkspace();
            while (!driver.IsDone(lane))
            {
                int before = lane.Segment;
                // Local tiles answer synchronously, so this completes without blocking a thread.
                driver.AdvanceAsync(lane, transport, window, workspace, cancel).AsTask().GetAwaiter().GetResult();
                long now = Interlocked.Add(ref done, lane.Segment - before);
                progress?.Report((double)now / total);
            }
        });
        return HardwareAccounting.Summarise(driver, profile, lanes, network.InputDim, stopwatch.Elapsed);
    }
}
