using System.Buffers;
using System.Runtime.InteropServices;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Graphs.Analog;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Placement;
using MemristorGrid.Grains.Telemetry;
using MemristorGrid.Grains.Wire;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace MemristorGrid.Grains.Chips;

/// <summary>A general graph's chip as a grain: programs its own tiles (once per silo, from the deployment) and computes lanes'
/// steps with the engine's <see cref="GraphChipEvaluator"/> — the reference simulator's arithmetic — counting MVMs per tile.</summary>
public abstract class GraphChipGrainBase(DeploymentCache deployments) : Grain, IGraphChipGrain
{
    private GraphDeployment _deployment = null!;
    private GraphChipEvaluator _evaluator = null!;
    private KeyValuePair<string, object?>[][] _tileTags = [];

    /// <summary>This grain's chip number (from its key).</summary>
    protected int Chip { get; private set; }

    [ThreadStatic] private static AnalogWorkspace? t_workspace; // a request computes on one thread without yielding

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = GrainKeys.ParseChip(this.GetPrimaryKeyString());
        Chip = key.Chip;
        _deployment = await deployments.GetGraphAsync(key.Deployment, GrainFactory);
        _evaluator = _deployment.Chip(Chip);
        _tileTags = _deployment.Tiles.Select(t => t.Chip != Chip ? [] : Instruments.TileTags(key.Deployment, t, RuntimeIdentity)).ToArray();
    }

    public async Task<ChipResponse> EvaluateAsync(GraphChipRequest request)
    {
        var steps = _deployment.Machine.Plan.Steps;
        if ((uint)request.Step >= (uint)steps.Count || steps[request.Step].Chip != Chip)
            throw new ArgumentException($"graph chip {Chip}: step {request.Step} is not this chip's");
        var step = steps[request.Step];
        var layer = _deployment.Machine.Plan.Layers[step.Layer];
        int n = request.Count, inputSize = _deployment.Machine.Graph.Values[layer.Inputs[0]].Size;
        if (request.Activation.Length != n * inputSize * sizeof(float) || request.Samples.Length != n * sizeof(long))
            throw new ArgumentException($"graph chip {Chip}, step {step.Index}: {request.Activation.Length} input bytes and {request.Samples.Length} sample bytes for {n} samples of {inputSize} values");
        var response = ComputesOnThreadPool ? await Task.Run(() => Evaluate(step, layer, request)) : Evaluate(step, layer, request);
        AfterCall();
        return response;
    }

    /// <summary>Called after every request.</summary>
    protected virtual void AfterCall() { }

    /// <summary>Whether requests are computed on the thread pool rather than in the grain's turn.</summary>
    protected abstract bool ComputesOnThreadPool { get; }

    private ChipResponse Evaluate(GraphChipStep step, Engine.Graphs.WeightedNode layer, GraphChipRequest request)
    {
        int n = request.Count, vectors = n * layer.VectorsPerSample;
        int outputBytes = vectors * layer.MatrixOutputs * sizeof(float), powerBytes = n * step.Tiles.Length * sizeof(double);
        var outputs = ResponseBuffers.Rent(outputBytes);
        var power = ResponseBuffers.Rent(powerBytes);
        var samples = ArrayPool<long>.Shared.Rent(n); // only its first n are read
        try
        {
            MemoryMarshal.Cast<byte, long>(request.Samples.Span).CopyTo(samples);
            var e = _evaluator.Evaluate(step, MemoryMarshal.Cast<byte, float>(request.Activation.Span), n,
                new ReadContext(request.Seed, request.FirstSample, request.Segment, request.Pass, samples),
                MemoryMarshal.Cast<byte, float>(outputs.AsSpan(0, outputBytes)), MemoryMarshal.Cast<byte, double>(power.AsSpan(0, powerBytes)),
                t_workspace ??= new AnalogWorkspace());
            foreach (int t in step.Tiles) Instruments.TileMvms.Add(vectors, _tileTags[t]);
            return new ChipResponse(outputs.AsMemory(0, outputBytes), power.AsMemory(0, powerBytes), e.CellPowerWatts, e.InputOverflows, e.SaturatedOutputs, e.AdcOverflows);
        }
        finally { ArrayPool<long>.Shared.Return(samples); }
    }
}

/// <summary>A general graph's chip on its own silo (<c>--placement chips</c>), moved back there after churn like <see cref="PlacedChipGrain"/>.</summary>
[ChipPlacement]
public sealed class PlacedGraphChipGrain(DeploymentCache deployments, IClusterMembershipService membership, ILocalSiloDetails silo)
    : GraphChipGrainBase(deployments), IPlacedGraphChipGrain
{
    private readonly ChipHome _home = new(membership, silo);

    /// <summary>One activation serves every lane that uses the chip: its tiles are immutable, so requests compute in parallel.</summary>
    protected override bool ComputesOnThreadPool => true;

    protected override void AfterCall()
    {
        if (_home.MovedAway(Chip)) MigrateOnIdle();
    }
}

/// <summary>A general graph's chip on its caller's silo (the default placement): a stateless worker computing in its own turn,
/// for the reason <see cref="Tiles.LocalTileGrain"/> gives.</summary>
[StatelessWorker]
public sealed class LocalGraphChipGrain(DeploymentCache deployments) : GraphChipGrainBase(deployments), ILocalGraphChipGrain
{
    protected override bool ComputesOnThreadPool => false;
}
