using System.Diagnostics;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Engine.Solvers;

namespace MemristorGrid.Engine.Graphs.Analog;

/// <summary>What a general graph's analog run produced and counted.</summary>
public sealed record GraphRunResult(float[] Samples, int[] Labels, int Dim, LaneCounters Counters, GraphPassCounts Pass, double[] TileCellEnergyJoules,
    long[] TileMvms, GraphLoopDesign Design, RunTiming Timing, TimeSpan Wall);

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
        options.Validate();
        LaneSchedule.Check(count, labels);
        if (options.IsGuided) throw UserInputException.ForSetting("guidance", "is not supported on general graphs yet");
        var stopwatch = Stopwatch.StartNew();
        var graph = machine.Graph;
        var profile = design.Profile;
        int d = graph.InputDim, tiles = machine.Tiles.Length;
        var sde = graph.Metadata.CreateSde().WithScheduleScale(options.ScheduleScale);
        var timing = RunTiming.Of(profile, options);
        var coefficients = new LoopCoefficients(sde, profile, options.Kind, options.StartTime, options.EndTime);
        var integrator = new IntegratorChannel(profile, Enumerable.Repeat(machine.Plan.ScoreDigitised, d).ToArray(), options.ProgramSeed);
        ISegmentSolver solver = options.Kind == SamplerKind.Ode
            ? new DormandPrince54(options.RelativeTolerance, options.AbsoluteTolerance, timing.Span, timing.SegmentsAreCheckpoints)
            : options.SdeScheme == SdeScheme.Sra1 ? new Sra1(options.Seed, options.Substeps, timing.IsHeld, d) : new EulerMaruyama(options.Seed, options.Substeps, timing.IsHeld, d);
        int parallelism = threads > 0 ? threads : Environment.ProcessorCount;
        laneSize = laneSize > 0 ? laneSize : LaneSchedule.AutoLaneSize(count, 2 * parallelism);
        var slices = LaneSchedule.Lanes(count, laneSize);
        var lanes = slices.Select(slice => LaneState.FromPrior(slice.First, slice.Count, slice.LabelsOf(labels), d, tiles, sde, options.Seed, timing.SegmentsAreCheckpoints)).ToArray();
        var loops = new GraphLoop[lanes.Length];
        long done = 0, total = (long)lanes.Length * timing.SegmentCount;
        Parallel.For(0, lanes.Length, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancel }, l =>
        {
            var lane = lanes[l];
            var loop = loops[l] = new GraphLoop(machine, integrator, coefficients, sde, options, timing.IsHeld) { TimeConstant = timing.TimeConstant };
            var workspace = new SolverWorkspace(lane.Count, d, tiles);
            for (; lane.Segment < timing.SegmentCount; lane.Segment++)
            {
                var segment = timing.SegmentAt(lane.Segment);
                loop.Begin(lane, segment);
                // Local tiles answer synchronously: this completes without blocking.
                solver.IntegrateAsync(lane, segment, loop, workspace, cancel).AsTask().GetAwaiter().GetResult();
                progress?.Report((double)Interlocked.Increment(ref done) / total);
            }
        });
        var samples = new float[count * d];
        var counters = new LaneCounters();
        var pass = new GraphPassCounts();
        var cellEnergy = new double[tiles];
        var mvms = new long[tiles];
        for (int l = 0; l < lanes.Length; l++)
        {
            var lane = lanes[l];
            for (int j = 0; j < lane.X.Length; j++) samples[lane.FirstSample * d + j] = (float)lane.X[j];
            counters += lane.Counters;
            pass = GraphLoop.Add(pass, loops[l].Counts);
            for (int t = 0; t < tiles; t++) { cellEnergy[t] += lane.TileCellEnergyJoules[t]; mvms[t] += lane.TileMvms[t]; }
        }
        return new GraphRunResult(samples, labels, d, counters, pass, cellEnergy, mvms, design, timing, stopwatch.Elapsed);
    }
}
