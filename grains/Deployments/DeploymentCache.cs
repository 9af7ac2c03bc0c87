using System.Collections.Concurrent;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Graphs.Import;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;

namespace MemristorGrid.Grains.Deployments;

/// <summary>A deployment as the engine sees it: the parsed network, the profile and the tile plan.</summary>
public sealed record Deployment(string Id, DeploymentSpec Spec, ScoreNetwork Network, HardwareProfile Profile, DeploymentPlan Plan) : IDeployment
{
    public IReadOnlyList<TilePlan> Tiles => Plan.Tiles;

    public static Deployment From(DeploymentSpec spec)
    {
        var network = OnnxImporter.FromBytes(spec.ModelBytes, spec.ModelName);
        var profile = HardwareProfile.Parse(spec.ProfileJson, spec.ModelName + " profile");
        return new Deployment(spec.Id(), spec, network, profile, DeploymentPlan.Create(network, profile.Mapping));
    }

    public string ChipKey(int chip) => GrainKeys.Chip(Id, chip);

    public string TileKey(TilePlan tile) => GrainKeys.Tile(Id, tile.Chip, tile.Index);

    /// <summary>The order of one network pass's chip calls, the same on every silo.</summary>
    public ChipStep[] Steps { get; } = ChipStep.Schedule(Plan);

    /// <summary>A chip's periphery around tile grains: gathers rows, adds partial sums, applies the activation circuits.</summary>
    public TileFanOut FanOut => _fanOut.Value;

    private readonly Lazy<TileFanOut> _fanOut = new(() => new TileFanOut(Plan, new ChipStepEvaluator(Network, Plan, Profile, [])));

    private readonly ConcurrentDictionary<string, Lazy<CrossbarTile>> _programmed = new();

    /// <summary>The tile programmed once per silo, shared by every activation that serves it (tiles are immutable).</summary>
    public CrossbarTile Programmed(TilePlan tile) =>
        _programmed.GetOrAdd(tile.Id, _ => new Lazy<CrossbarTile>(() => CrossbarTile.Program(tile, Network, Profile, Spec.ProgramSeed))).Value;
}

/// <summary>One parsed copy of each deployment per silo, so a chip's tiles do not each parse the model: the paper's MLP family
/// (<see cref="Deployment"/>) or a general graph (<see cref="GraphDeployment"/>), told apart by the model file.</summary>
public sealed class DeploymentCache
{
    private readonly ConcurrentDictionary<string, Lazy<IDeployment>> _byId = new();

    public IDeployment Any(DeploymentSpec spec) =>
        _byId.GetOrAdd(spec.Id(), _ => new Lazy<IDeployment>(() => GraphImporter.IsGeneral(spec.ModelBytes) ? GraphDeployment.From(spec) : Deployment.From(spec))).Value;

    public async Task<IDeployment> AnyAsync(string deploymentId, IGrainFactory grains)
    {
        if (_byId.TryGetValue(deploymentId, out var cached)) return cached.Value;
        var spec = await grains.GetGrain<IDeploymentGrain>(deploymentId).GetSpecAsync();
        return Any(spec);
    }

    /// <summary>The largest lane the automatic choice makes for a deployment (<see cref="LaneSchedule.MaxLaneSizeFor"/> for the
    /// MLP family, whose lanes call small tiles; <see cref="LaneSchedule.MaxAutoLaneSize"/> for a general graph).</summary>
    public int MaxAutoLaneSize(DeploymentSpec spec) => Any(spec) is Deployment mlp ? LaneSchedule.MaxLaneSizeFor(mlp.Plan) : LaneSchedule.MaxAutoLaneSize;

    /// <summary>An MLP-family deployment (a general graph's is refused: its chips are <see cref="GraphDeployment"/>'s).</summary>
    public Deployment Get(DeploymentSpec spec) => Mlp(Any(spec));

    public async Task<Deployment> GetAsync(string deploymentId, IGrainFactory grains) => Mlp(await AnyAsync(deploymentId, grains));

    public async Task<GraphDeployment> GetGraphAsync(string deploymentId, IGrainFactory grains) =>
        await AnyAsync(deploymentId, grains) as GraphDeployment ?? throw new InvalidOperationException($"deployment {deploymentId} is not a general graph");

    private static Deployment Mlp(IDeployment d) => d as Deployment ?? throw new InvalidOperationException($"deployment {d.Id} is a general graph: its chips are graph chips");
}
