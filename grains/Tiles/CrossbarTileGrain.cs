using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Placement;
using MemristorGrid.Grains.Telemetry;
using MemristorGrid.Grains.Wire;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace MemristorGrid.Grains.Tiles;

/// <summary>A crossbar tile as a grain: takes its programmed conductances from the silo's deployment
/// cache on activation (a pure function of model, profile, chip seed and tile) and evaluates lanes' batches.</summary>
public abstract class TileGrainBase(DeploymentCache deployments) : Grain, ITileGrain
{
    private CrossbarTile _tile = null!;
    private KeyValuePair<string, object?>[] _tags = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = GrainKeys.ParseTile(this.GetPrimaryKeyString());
        var deployment = await deployments.GetAsync(key.Deployment, GrainFactory);
        var plan = deployment.Plan.Tile(key.TileId);
        _tile = deployment.Programmed(plan);
        _tags =
        [
            new("deployment", key.Deployment), new("layer", plan.Layer), new("tile", plan.Id), new("chip", plan.Chip), new("silo", RuntimeIdentity),
        ];
    }

    public async Task<TileResponse> EvaluateAsync(TileRequest request)
    {
        using var span = request.Traced ? Instruments.Source.StartActivity("tile.evaluate") : null;
        span?.SetTag("tile", _tile.Plan.Id);
        span?.SetTag("chip", _tile.Plan.Chip);
        int rows = _tile.Plan.RowCount, n = request.Count;
        if (request.Inputs.Length != n * rows * sizeof(float))
            throw new ArgumentException($"tile {_tile.Plan.Id}: {request.Inputs.Length} input bytes for {n}×{rows} values");
        var response = ComputesOnThreadPool ? await Task.Run(() => Evaluate(_tile, request)) : Evaluate(_tile, request);
        Instruments.TileMvms.Add(n, _tags);
        AfterCall(_tile.Plan.Chip);
        return response;
    }

    /// <summary>Called after every request with the tile's chip.</summary>
    protected virtual void AfterCall(int chip) { }

    /// <summary>Whether requests are computed on the thread pool rather than in the grain's turn.</summary>
    protected abstract bool ComputesOnThreadPool { get; }

    private TileResponse Evaluate(CrossbarTile tile, TileRequest request)
    {
        long start = Stopwatch.GetTimestamp();
        int rows = tile.Plan.RowCount, cols = tile.Plan.ColCount, n = request.Count;
        var inputs = ArrayPool<float>.Shared.Rent(n * rows);
        var outputs = ResponseBuffers.Rent(n * cols * sizeof(float));
        var power = ResponseBuffers.Rent(n * sizeof(double));
        var samples = request.Samples.Length > 0 ? ArrayPool<long>.Shared.Rent(n) : null; // only its first n are read
        try
        {
            var x = inputs.AsSpan(0, n * rows);
            MemoryMarshal.Cast<byte, float>(request.Inputs).CopyTo(x);
            if (samples is not null) MemoryMarshal.Cast<byte, long>(request.Samples).CopyTo(samples);
            var result = tile.Evaluate(x, MemoryMarshal.Cast<byte, float>(outputs.AsSpan()), n,
                new ReadContext(request.Seed, request.FirstSample, request.Segment, request.Pass, samples), MemoryMarshal.Cast<byte, double>(power.AsSpan()));
            if (Instruments.TileWallTime.Enabled) Instruments.TileWallTime.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, _tags);
            return new TileResponse(outputs, result.CellPowerWatts, result.InputOverflows, result.SaturatedOutputs, power, result.AdcOverflows);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(inputs);
            if (samples is not null) ArrayPool<long>.Shared.Return(samples);
        }
    }

    public Task<TilePlacement> DescribeAsync()
    {
        AfterCall(_tile.Plan.Chip);
        return Task.FromResult(new TilePlacement(_tile.Plan.Id, _tile.Plan.Chip, RuntimeIdentity));
    }
}

/// <summary>A tile placed with its chip (<c>--placement chips</c>). When the silos change, placement sends
/// newly activated tiles where the chip now belongs; a tile still active elsewhere moves there too (it
/// deactivates after the call that notices), so a chip stays on one silo after churn.</summary>
[ChipPlacement]
public sealed class CrossbarTileGrain(DeploymentCache deployments, IClusterMembershipService membership, ILocalSiloDetails silo)
    : TileGrainBase(deployments), ICrossbarTileGrain
{
    private MembershipVersion _checked = MembershipVersion.MinValue;

    /// <summary>One activation serves every lane of the cluster that uses this tile: the programmed tile is
    /// immutable, so their requests are computed in parallel on the thread pool instead of queueing here.</summary>
    protected override bool ComputesOnThreadPool => true;

    protected override void AfterCall(int chip)
    {
        var snapshot = membership.CurrentSnapshot;
        if (snapshot.Version == _checked) return;
        _checked = snapshot.Version;
        var active = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress);
        if (ChipPlacementDirector.SiloFor(chip, active) is { } home && !home.Equals(silo.SiloAddress)) DeactivateOnIdle();
    }
}

/// <summary>A tile served on its caller's silo (the default placement): a stateless worker, so every silo
/// runs its own activations, all reading the one tile the silo programmed.</summary>
[StatelessWorker]
public sealed class LocalCrossbarTileGrain(DeploymentCache deployments) : TileGrainBase(deployments), ILocalCrossbarTileGrain
{
    /// <summary>Computed in the grain's own turn: parallelism comes from the stateless worker's activations
    /// (one per core). A thread-pool hop here queued the work on the busy thread's local queue, ahead of
    /// the remote messages that coordinate the job, and starved them (measured: a second silo idled
    /// half of every job waiting for the job grain's turn on the first).</summary>
    protected override bool ComputesOnThreadPool => false;
}
