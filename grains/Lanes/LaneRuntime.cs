using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Telemetry;
using MemristorGrid.Grains.Wire;

namespace MemristorGrid.Grains.Lanes;

/// <summary>What a lane activation drives with: its deployment, the engine's <see cref="LaneDriver"/> and chip grains as the transport.</summary>
internal sealed record LaneRuntime(Deployment Deployment, LaneDriver Driver, GrainChipTransport Transport)
{
    /// <summary>Builds the runtime of <paramref name="assignment"/>: the deployment (cached per silo), its label embeddings from
    /// the label-encoder grain, and a chip grain per chip — each lane's own silo (local placement) or the chip's (chips).</summary>
    public static async Task<LaneRuntime> CreateAsync(LaneAssignment assignment, DeploymentCache deployments, JobBoard board, IGrainFactory grains, string laneKey)
    {
        var deployment = await deployments.GetAsync(assignment.DeploymentId, grains);
        board.Start(deployment, GrainKeys.JobOfLane(laneKey)); // a silo that joined mid-job
        var labels = await LabelEncoderGrain.FetchAsync(grains, deployment);
        var driver = new LaneDriver(deployment.Network, deployment.Profile, deployment.Plan, assignment.Options.ToEngine(), labels);
        var transport = new GrainChipTransport(deployment.Steps.Length, deployment.Network.HiddenWidth,
            Enumerable.Range(0, deployment.Plan.ChipCount).Select(c => assignment.Placement == TilePlacementMode.Chips
                ? (IChipGrain)grains.GetGrain<IPlacedChipGrain>(deployment.ChipKey(c))
                : grains.GetGrain<ILocalChipGrain>(deployment.ChipKey(c))).ToArray());
        return new LaneRuntime(deployment, driver, transport);
    }
}
