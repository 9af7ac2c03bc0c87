using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Engine.Solvers;

namespace MemristorGrid.Engine.Graphs.Analog;

/// <summary>
/// Advances lanes of a general graph's samples through analog time, segment by segment, with the MLP's solvers,
/// integrator channels and coefficient DACs (<see cref="LaneDriver"/> is its MLP counterpart). Tiles are reached
/// only through <see cref="IGraphTileTransport"/>, so the reference simulator and the grain cluster run this same
/// code; every draw is keyed by (seed, stream, segment, global sample), so neither the lane size nor the
/// transport changes a sample, and a lane restored from its checkpoint goes on exactly as it would have.
/// </summary>
public sealed class GraphLaneDriver
{
    private readonly ISegmentSolver _solver;
    private readonly LoopCoefficients _coefficients;
    private readonly IntegratorChannel _integrator;

    /// <param name="profile">The profile as designed for this run (<see cref="GraphLoopDesign.Profile"/>): its RC fixes the timing.</param>
    public GraphLaneDriver(AnalogGraph machine, HardwareProfile profile, AnalogRunOptions options)
    {
        options.Validate();
        if (options.IsGuided) throw UserInputException.ForSetting("guidance", "is not supported on general graphs yet");
        Machine = machine;
        Options = options;
        Dim = machine.Graph.InputDim;
        Sde = machine.Graph.Metadata.CreateSde().WithScheduleScale(options.ScheduleScale);
        Timing = RunTiming.Of(profile, options);
        _coefficients = new LoopCoefficients(Sde, profile, options.Kind, options.StartTime, options.EndTime);
        _integrator = new IntegratorChannel(profile, Enumerable.Repeat(machine.Plan.ScoreDigitised, Dim).ToArray(), options.ProgramSeed);
        _solver = options.Kind == SamplerKind.Ode
            ? new DormandPrince54(options.RelativeTolerance, options.AbsoluteTolerance, Timing.Span, Timing.SegmentsAreCheckpoints)
            : options.SdeScheme == SdeScheme.Sra1 ? new Sra1(options.Seed, options.Substeps, Timing.IsHeld, Dim) : new EulerMaruyama(options.Seed, options.Substeps, Timing.IsHeld, Dim);
    }

    public AnalogGraph Machine { get; }
    public AnalogRunOptions Options { get; }
    public DiffusionSde Sde { get; }
    public RunTiming Timing { get; }
    public int Dim { get; }

    /// <summary>A fresh lane starting from the prior, drawn as the digital baseline draws it.</summary>
    public LaneState CreateLane(long firstSample, int count, int[] labels) =>
        LaneState.FromPrior(firstSample, count, labels, Dim, Machine.Plan.Tiles.Count, Sde, Options.Seed, Timing.SegmentsAreCheckpoints);

    public bool IsDone(LaneState lane) => lane.Segment >= Timing.SegmentCount;

    /// <summary>Integrates up to <paramref name="maxSegments"/> more segments of <paramref name="lane"/>.</summary>
    /// <param name="workspace">The lane's own scratch (one per lane: its loop holds the lane's graph buffers).</param>
    public async ValueTask AdvanceAsync(LaneState lane, IGraphTileTransport tiles, int maxSegments, GraphLaneWorkspace workspace, CancellationToken cancel = default)
    {
        var w = workspace.Ensure(this, lane.Count);
        int stop = (int)Math.Min(Timing.SegmentCount, (long)lane.Segment + maxSegments);
        while (lane.Segment < stop)
        {
            cancel.ThrowIfCancellationRequested();
            var segment = Timing.SegmentAt(lane.Segment);
            w.Loop!.Begin(lane, tiles, segment);
            await _solver.IntegrateAsync(lane, segment, w.Loop, w.Solver!, cancel);
            lane.Segment = segment.Index + 1;
        }
    }

    internal GraphLoop CreateLoop() => new(Machine, _integrator, _coefficients, Sde, Options, Timing.IsHeld) { TimeConstant = Timing.TimeConstant };
}

/// <summary>One lane's scratch for <see cref="GraphLaneDriver"/>: its closed loop (graph buffers) and its solver's stages.</summary>
public sealed class GraphLaneWorkspace
{
    internal GraphLoop? Loop;
    internal SolverWorkspace? Solver;
    private GraphLaneDriver? _for;
    private int _count;

    internal GraphLaneWorkspace Ensure(GraphLaneDriver driver, int count)
    {
        if (ReferenceEquals(_for, driver) && _count == count) return this;
        (_for, _count) = (driver, count);
        Loop = driver.CreateLoop();
        Solver = new SolverWorkspace(count, driver.Dim, driver.Machine.Plan.Tiles.Count);
        return this;
    }
}
