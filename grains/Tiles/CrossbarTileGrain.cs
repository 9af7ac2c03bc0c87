using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Placement;
using MemristorGrid.Grains.Telemetry;
using MemristorGrid.Grains.Wire;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace MemristorGrid.Grains.Tiles;

/// <summary>A crossbar tile as a grain: takes its programmed conductances from the silo's deployment cache on activation (one
/// programming per silo, shared with nobody else), evaluates lanes' batches of row inputs with the engine's
/// <see cref="CrossbarTile.Evaluate"/> — the reference simulator's arithmetic — and keeps the tile's reads and telemetry.</summary>
public abstract class CrossbarTileGrainBase(DeploymentCache deployments) : Grain, ICrossbarTileGrain
{
    private TilePlan _plan = null!;
    private CrossbarTile _tile = null!;
    private KeyValuePair<string, object?>[] _tags = [];
    private long _mvms;

    /// <summary>This tile's chip (from its key).</summary>
    protected int Chip => _plan.Chip;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = GrainKeys.ParseTile(this.GetPrimaryKeyString());
        var deployment = await deployments.GetAsync(key.Deployment, GrainFactory);
        if ((uint)key.Tile >= (uint)deployment.Plan.Tiles.Count || deployment.Plan.Tiles[key.Tile].Chip != key.Chip)
            throw new ArgumentException($"deployment {key.Deployment} has no tile {key.Tile} on chip {key.Chip}");
        _plan = deployment.Plan.Tiles[key.Tile];
        _tile = deployment.Programmed(_plan);
        _tags = Instruments.TileTags(key.Deployment, _plan, RuntimeIdentity);
    }

    public async Task<ChipResponse> EvaluateAsync(TileRequest request)
    {
        int n = request.Count;
        if (request.Inputs.Length != n * _plan.RowCount * sizeof(float) || (request.Samples.Length != 0 && request.Samples.Length != n * sizeof(long)))
            throw new ArgumentException($"tile {_plan.Id}: {request.Inputs.Length} input bytes and {request.Samples.Length} sample bytes for {n}×{_plan.RowCount} values");
        var response = ComputesOnThreadPool ? await Task.Run(() => Evaluate(request)) : Evaluate(request);
        AfterCall();
        return response;
    }

    /// <summary>Called after every request.</summary>
    protected virtual void AfterCall() { }

    /// <summary>Whether requests are computed on the thread pool rather than in the grain's turn.</summary>
    protected abstract bool ComputesOnThreadPool { get; }

    private ChipResponse Evaluate(TileRequest request)
    {
        using var span = request.Traced ? Instruments.Source.StartActivity("tile.evaluate") : null;
        span?.SetTag("tile", _plan.Id);
        span?.SetTag("chip", _plan.Chip);
        int n = request.Count, outputBytes = n * _plan.ColCount * sizeof(float), powerBytes = n * sizeof(double);
        var outputs = ResponseBuffers.Rent(outputBytes);
        var power = ResponseBuffers.Rent(powerBytes);
        // A tile whose converters quantise its inputs in place gets a copy (the sender's stay as sent); any other reads the request's.
        var copied = _tile.WritesInputs ? ArrayPool<float>.Shared.Rent(n * _plan.RowCount) : null;
        var samples = request.Samples.Length > 0 ? ArrayPool<long>.Shared.Rent(n) : null; // only its first n are read
        try
        {
            var inputs = MemoryMarshal.Cast<byte, float>(MemoryMarshal.AsMemory(request.Inputs).Span);
            if (copied is not null)
            {
                inputs.CopyTo(copied);
                inputs = copied;
            }
            if (samples is not null) MemoryMarshal.Cast<byte, long>(request.Samples.Span).CopyTo(samples);
            long start = Instruments.TileWallTime.Enabled ? Stopwatch.GetTimestamp() : 0;
            var e = _tile.Evaluate(inputs[..(n * _plan.RowCount)], MemoryMarshal.Cast<byte, float>(outputs.AsSpan(0, outputBytes)), n,
                new ReadContext(request.Seed, request.FirstSample, request.Segment, request.Pass, samples),
                MemoryMarshal.Cast<byte, double>(power.AsSpan(0, powerBytes)));
            if (start != 0) Instruments.TileWallTime.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, _tags);
            Instruments.TileMvms.Add(n, _tags);
            Interlocked.Add(ref _mvms, n);
            return new ChipResponse(outputs.AsMemory(0, outputBytes), power.AsMemory(0, powerBytes), e.CellPowerWatts, e.InputOverflows, e.SaturatedOutputs, e.AdcOverflows);
        }
        finally
        {
            if (copied is not null) ArrayPool<float>.Shared.Return(copied);
            if (samples is not null) ArrayPool<long>.Shared.Return(samples);
        }
    }

    public Task<TileActivity> DescribeAsync()
    {
        AfterCall();
        return Task.FromResult(new TileActivity(new TilePlacement(_plan.Id, _plan.Chip, RuntimeIdentity), Interlocked.Read(ref _mvms)));
    }
}

/// <summary>A tile served on its caller's silo (the default placement): a stateless worker with one activation per silo — the
/// silo's one copy of the tile, which serves its lanes one batch at a time as the hardware's tile does — computing in its own
/// turn. (A thread-pool hop here queued the work on the busy thread's local queue, ahead of the remote messages that coordinate
/// the job, and starved them: measured, a second silo idled half of every job waiting for the job grain's turn on the first.)</summary>
[StatelessWorker(1)]
public sealed class LocalTileGrain(DeploymentCache deployments) : CrossbarTileGrainBase(deployments), ILocalTileGrain
{
    protected override bool ComputesOnThreadPool => false;
}

/// <summary>A tile placed with its chip on the chip's silo (<c>--placement chips</c>), by the chip's rule (<see cref="ChipPlacement"/>).
/// One activation serves every lane of the cluster: its conductances are immutable, so requests compute in parallel on the thread
/// pool instead of queueing. After churn it moves where its chip now belongs, after the call that notices (<see cref="ChipHome"/>).</summary>
[ChipPlacement]
public sealed class PlacedTileGrain(DeploymentCache deployments, IClusterMembershipService membership, ILocalSiloDetails silo)
    : CrossbarTileGrainBase(deployments), IPlacedTileGrain
{
    private readonly ChipHome _home = new(membership, silo);

    protected override bool ComputesOnThreadPool => true;

    protected override void AfterCall()
    {
        if (_home.MovedAway(Chip)) MigrateOnIdle();
    }
}
