using System.Buffers;
using System.Runtime.InteropServices;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Placement;
using MemristorGrid.Grains.Telemetry;
using MemristorGrid.Grains.Wire;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace MemristorGrid.Grains.Chips;

/// <summary>A chip of crossbar tiles as a grain: takes its programmed tiles from the silo's deployment cache
/// on activation and computes lanes' chip steps with the engine's <see cref="ChipStepEvaluator"/> (the
/// reference simulator's arithmetic). Every tile keeps its own telemetry: MVMs and wall time per tile.</summary>
public abstract class ChipGrainBase(DeploymentCache deployments) : Grain, IChipGrain
{
    private Deployment _deployment = null!;
    private ChipStepEvaluator _evaluator = null!;
    private int _chip;

    /// <summary>This grain's chip number (from its key).</summary>
    protected int Chip => _chip;
    private KeyValuePair<string, object?>[][] _tileTags = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = GrainKeys.ParseChip(this.GetPrimaryKeyString());
        _chip = key.Chip;
        _deployment = await deployments.GetAsync(key.Deployment, GrainFactory);
        _evaluator = _deployment.Chip(_chip);
        _tileTags = _deployment.Plan.Tiles.Select(t => t.Chip != _chip ? [] : new KeyValuePair<string, object?>[]
        {
            new("deployment", key.Deployment), new("layer", t.Layer), new("tile", t.Id), new("chip", t.Chip), new("silo", RuntimeIdentity),
        }).ToArray();
    }

    public async Task<ChipResponse> EvaluateAsync(ChipRequest request)
    {
        using var span = request.Traced ? Instruments.Source.StartActivity("chip.evaluate") : null;
        var steps = _deployment.Steps;
        if ((uint)request.Step >= (uint)steps.Length || steps[request.Step].Chip != _chip)
            throw new ArgumentException($"chip {_chip}: step {request.Step} is not this chip's");
        var step = steps[request.Step];
        if (span is not null)
        {
            span.SetTag("chip", _chip);
            span.SetTag("step", step.Index);
            span.SetTag("tiles", string.Join(',', step.Tiles.Select(t => _deployment.Plan.Tiles[t].Id)));
        }
        int n = request.Count, inWidth = step.InputWidth;
        if (request.Inputs.Length != n * inWidth * sizeof(float))
            throw new ArgumentException($"chip {_chip}, step {step.Index}: {request.Inputs.Length} input bytes for {n}×{inWidth} values");
        var response = ComputesOnThreadPool ? await Task.Run(() => Evaluate(step, request)) : Evaluate(step, request);
        AfterCall();
        return response;
    }

    /// <summary>Called after every request.</summary>
    protected virtual void AfterCall() { }

    /// <summary>Whether requests are computed on the thread pool rather than in the grain's turn.</summary>
    protected abstract bool ComputesOnThreadPool { get; }

    private ChipResponse Evaluate(ChipStep step, ChipRequest request)
    {
        int n = request.Count, tiles = step.Tiles.Length;
        int outputBytes = n * step.OutputWidth * sizeof(float), powerBytes = n * tiles * sizeof(double);
        var outputs = ResponseBuffers.Rent(outputBytes);
        var power = ResponseBuffers.Rent(powerBytes);
        var samples = request.Samples.Length > 0 ? ArrayPool<long>.Shared.Rent(n) : null; // only its first n are read
        Span<double> seconds = Instruments.TileWallTime.Enabled ? stackalloc double[tiles] : default;
        try
        {
            if (samples is not null) MemoryMarshal.Cast<byte, long>(request.Samples.Span).CopyTo(samples);
            var result = _evaluator.Evaluate(step, MemoryMarshal.Cast<byte, float>(request.Inputs.Span), n,
                new ReadContext(request.Seed, request.FirstSample, request.Segment, request.Pass, samples),
                MemoryMarshal.Cast<byte, float>(request.Embedding.Span), MemoryMarshal.Cast<byte, int>(request.EmbeddingRows.Span),
                MemoryMarshal.Cast<byte, float>(outputs.AsSpan(0, outputBytes)), MemoryMarshal.Cast<byte, double>(power.AsSpan(0, powerBytes)), seconds);
            for (int k = 0; k < tiles; k++)
            {
                var tags = _tileTags[step.Tiles[k]];
                Instruments.TileMvms.Add(n, tags);
                if (!seconds.IsEmpty) Instruments.TileWallTime.Record(seconds[k], tags);
            }
            return new ChipResponse(outputs.AsMemory(0, outputBytes), power.AsMemory(0, powerBytes), result.CellPowerWatts, result.InputOverflows, result.SaturatedOutputs, result.AdcOverflows);
        }
        finally
        {
            if (samples is not null) ArrayPool<long>.Shared.Return(samples);
        }
    }

    public Task<TilePlacement[]> DescribeAsync()
    {
        AfterCall();
        return Task.FromResult(_deployment.Plan.Tiles.Where(t => t.Chip == _chip).Select(t => new TilePlacement(t.Id, t.Chip, RuntimeIdentity)).ToArray());
    }
}

/// <summary>A chip placed on its own silo (<c>--placement chips</c>). When the silos change, placement sends
/// a newly activated chip where it now belongs; a chip still active elsewhere moves there too (it
/// deactivates after the call that notices), so after churn each chip is again on one silo.</summary>
[ChipPlacement]
public sealed class PlacedChipGrain(DeploymentCache deployments, IClusterMembershipService membership, ILocalSiloDetails silo)
    : ChipGrainBase(deployments), IPlacedChipGrain
{
    private readonly ChipHome _home = new(membership, silo);

    /// <summary>One activation serves every lane of the cluster that uses this chip: the programmed tiles are
    /// immutable, so their requests are computed in parallel on the thread pool instead of queueing here.</summary>
    protected override bool ComputesOnThreadPool => true;

    protected override void AfterCall()
    {
        if (_home.MovedAway(Chip)) DeactivateOnIdle();
    }
}

/// <summary>A chip served on its caller's silo (the default placement): a stateless worker, so every silo
/// runs its own activations, all reading the one set of tiles the silo programmed.</summary>
[StatelessWorker]
public sealed class LocalChipGrain(DeploymentCache deployments) : ChipGrainBase(deployments), ILocalChipGrain
{
    /// <summary>Computed in the grain's own turn: parallelism comes from the stateless worker's activations
    /// (one per core). A thread-pool hop here queued the work on the busy thread's local queue, ahead of
    /// the remote messages that coordinate the job, and starved them (measured: a second silo idled
    /// half of every job waiting for the job grain's turn on the first).</summary>
    protected override bool ComputesOnThreadPool => false;
}
