using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Graphs.Analog;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Telemetry;
using MemristorGrid.Grains.Wire;

namespace MemristorGrid.Grains.Lanes;

/// <summary>What a lane activation drives with: its deployment, the engine's lane driver and chip grains as its transport —
/// the paper's MLP family (<see cref="LaneDriver"/> over <see cref="IChipGrain"/>s) or a general graph
/// (<see cref="GraphLaneDriver"/> over <see cref="IGraphChipGrain"/>s). The lane grain is the same for both.</summary>
internal abstract class LaneRuntime
{
    public abstract IDeployment Deployment { get; }
    public abstract RunTiming Timing { get; }
    public abstract LaneState CreateLane(LaneAssignment assignment);

    /// <summary>Integrates <paramref name="segments"/> more segments; the next network pass's chip calls are traced.</summary>
    public abstract ValueTask AdvanceAsync(LaneState lane, int segments);

    /// <summary>Tells this silo's job board (the live page, the counters) what a finished lane cost.</summary>
    public abstract void Finished(LaneState lane, JobBoard board, string job);

    public bool IsDone(LaneState lane) => lane.Segment >= Timing.SegmentCount;

    /// <summary>Builds the runtime of <paramref name="assignment"/>: the deployment (cached per silo) and its transport — an MLP's
    /// tile grains on the lane's own silo with the chips' periphery in the lane (local placement), or its chip grains on each chip's
    /// silo (chips); a general graph's chip grains. An MLP's label embeddings come from the label-encoder grain.</summary>
    public static async Task<LaneRuntime> CreateAsync(LaneAssignment assignment, DeploymentCache deployments, JobBoard board, IGrainFactory grains, string laneKey)
    {
        var any = await deployments.AnyAsync(assignment.DeploymentId, grains);
        board.Start(any, GrainKeys.JobOfLane(laneKey)); // a silo that joined mid-job
        bool placed = assignment.Placement == TilePlacementMode.Chips;
        if (any is GraphDeployment graph)
        {
            var chips = Enumerable.Range(0, graph.Machine.Plan.ChipCount).Select(c => placed
                ? (IGraphChipGrain)grains.GetGrain<IPlacedGraphChipGrain>(graph.ChipKey(c)) : grains.GetGrain<ILocalGraphChipGrain>(graph.ChipKey(c))).ToArray();
            return new GraphLaneRuntime(graph, new GraphLaneDriver(graph.Machine, graph.Profile, assignment.Options.ToEngine()), new GrainGraphTransport(chips));
        }
        var deployment = (Deployment)any;
        var labels = await LabelEncoderGrain.FetchAsync(grains, deployment);
        var driver = new LaneDriver(deployment.Network, deployment.Profile, deployment.Plan, assignment.Options.ToEngine(), labels);
        ITracedChipTransport transport = placed
            ? new GrainChipTransport(deployment.Steps.Length, deployment.Network.HiddenWidth,
                Enumerable.Range(0, deployment.Plan.ChipCount).Select(c => grains.GetGrain<IChipGrain>(deployment.ChipKey(c))).ToArray())
            : new GrainTileTransport(deployment.FanOut,
                deployment.Plan.Tiles.Select(t => (ICrossbarTileGrain?)grains.GetGrain<ILocalTileGrain>(deployment.TileKey(t))).ToArray(), deployment.Plan.Tiles,
                deployment.Steps);
        return new MlpLaneRuntime(deployment, driver, transport);
    }
}

internal sealed class MlpLaneRuntime(Deployment deployment, LaneDriver driver, ITracedChipTransport transport) : LaneRuntime
{
    private readonly LaneWorkspace _workspace = new();

    public override IDeployment Deployment => deployment;
    public override RunTiming Timing => driver.Timing;
    public override LaneState CreateLane(LaneAssignment a) => driver.CreateLane(a.FirstSample, a.Count, a.Labels);

    public override ValueTask AdvanceAsync(LaneState lane, int segments)
    {
        transport.TraceNext(deployment.Steps.Length);
        return driver.AdvanceAsync(lane, transport, segments, _workspace);
    }

    public override void Finished(LaneState lane, JobBoard board, string job) =>
        board.LaneFinished(HardwareAccounting.Summarise(driver.Timing, driver.Plan, driver.Options, driver.Dim, deployment.Profile, [lane]), deployment, job);
}

internal sealed class GraphLaneRuntime(GraphDeployment deployment, GraphLaneDriver driver, GrainGraphTransport transport) : LaneRuntime
{
    private readonly GraphLaneWorkspace _workspace = new();

    public override IDeployment Deployment => deployment;
    public override RunTiming Timing => driver.Timing;
    public override LaneState CreateLane(LaneAssignment a) => driver.CreateLane(a.FirstSample, a.Count, a.Labels);
    public override ValueTask AdvanceAsync(LaneState lane, int segments) => driver.AdvanceAsync(lane, transport, segments, _workspace);

    public override void Finished(LaneState lane, JobBoard board, string job)
    {
        double traversals = driver.Timing.GenerationSeconds / deployment.LoopDelaySeconds * lane.Count;
        var linkBytes = deployment.LinkSignals.Select(l => (l.From, l.To, l.Signals * deployment.Profile.Adc.BitsPerConversion / 8.0 * traversals));
        board.GraphLaneFinished(deployment, job, lane.Count, lane.TileCellEnergyJoules, lane.TileMvms, linkBytes);
    }
}
