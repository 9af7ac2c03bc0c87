using System.Buffers;
using System.Runtime.InteropServices;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Placement;
using MemristorGrid.Grains.Telemetry;
using MemristorGrid.Grains.Tiles;
using MemristorGrid.Grains.Wire;
using Orleans.Runtime;

namespace MemristorGrid.Grains.Chips;

/// <summary>A chip's periphery placed on the chip's own silo (<c>--placement chips</c>): takes a lane's chip step, sends each of
/// its tiles their rows — the chip's <see cref="IPlacedTileGrain"/>s, placed on this silo by the same rule — and adds their
/// partial sums and applies the activation circuits with the engine's <see cref="TileFanOut"/> (the reference simulator's
/// arithmetic). When the silos change, a chip off its silo moves there after the call that notices (<see cref="ChipHome"/>).</summary>
[ChipPlacement]
public sealed class PlacedChipGrain(DeploymentCache deployments, IClusterMembershipService membership, ILocalSiloDetails silo) : Grain, IChipGrain
{
    private readonly ChipHome _home = new(membership, silo);
    private Deployment _deployment = null!;
    private TileFanOut _fanOut = null!;
    private ICrossbarTileGrain?[] _tiles = [];
    private int _chip;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = GrainKeys.ParseChip(this.GetPrimaryKeyString());
        _chip = key.Chip;
        _deployment = await deployments.GetAsync(key.Deployment, GrainFactory);
        _fanOut = _deployment.FanOut;
        _tiles = _deployment.Plan.Tiles.Select(t => t.Chip != _chip ? null : (ICrossbarTileGrain)GrainFactory.GetGrain<IPlacedTileGrain>(_deployment.TileKey(t))).ToArray();
    }

    public async Task<ChipResponse> EvaluateAsync(ChipRequest request)
    {
        using var span = request.Traced ? Instruments.Source.StartActivity("chip.evaluate") : null;
        var steps = _deployment.Steps;
        if ((uint)request.Step >= (uint)steps.Length || steps[request.Step].Chip != _chip)
            throw new ArgumentException($"chip {_chip}: step {request.Step} is not this chip's");
        var step = steps[request.Step];
        span?.SetTag("chip", _chip);
        span?.SetTag("step", step.Index);
        span?.SetTag("tiles", string.Join(',', step.Tiles.Select(t => _deployment.Plan.Tiles[t].Id)));
        int n = request.Count;
        if (request.Inputs.Length != n * step.InputWidth * sizeof(float))
            throw new ArgumentException($"chip {_chip}, step {step.Index}: {request.Inputs.Length} input bytes for {n}×{step.InputWidth} values");
        // The request's numbers as the engine reads them: copied out of the message's bytes (which may be the deserialiser's).
        var input = ArrayPool<float>.Shared.Rent(n * step.InputWidth);
        var table = ArrayPool<float>.Shared.Rent(request.Embedding.Length / sizeof(float));
        var rows = ArrayPool<int>.Shared.Rent(request.EmbeddingRows.Length / sizeof(int));
        var samples = request.Samples.Length > 0 ? ArrayPool<long>.Shared.Rent(n) : null; // only its first n are read
        var output = ArrayPool<float>.Shared.Rent(n * step.OutputWidth);
        var power = ArrayPool<double>.Shared.Rent(n * step.Tiles.Length);
        try
        {
            MemoryMarshal.Cast<byte, float>(request.Inputs.Span).CopyTo(input);
            MemoryMarshal.Cast<byte, float>(request.Embedding.Span).CopyTo(table);
            MemoryMarshal.Cast<byte, int>(request.EmbeddingRows.Span).CopyTo(rows);
            if (samples is not null) MemoryMarshal.Cast<byte, long>(request.Samples.Span).CopyTo(samples);
            var result = await _fanOut.EvaluateAsync(step, input.AsMemory(0, n * step.InputWidth), n,
                new ReadContext(request.Seed, request.FirstSample, request.Segment, request.Pass, samples),
                table.AsMemory(0, request.Embedding.Length / sizeof(float)), rows.AsMemory(0, request.EmbeddingRows.Length / sizeof(int)),
                output.AsMemory(0, n * step.OutputWidth), power.AsMemory(0, n * step.Tiles.Length), new GrainTileCaller(_tiles, request.Samples, request.Traced));
            if (_home.MovedAway(_chip)) MigrateOnIdle();
            return new ChipResponse(Bytes(output.AsSpan(0, n * step.OutputWidth)), Bytes(power.AsSpan(0, n * step.Tiles.Length)),
                result.CellPowerWatts, result.InputOverflows, result.SaturatedOutputs, result.AdcOverflows);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(input);
            ArrayPool<float>.Shared.Return(table);
            ArrayPool<int>.Shared.Return(rows);
            if (samples is not null) ArrayPool<long>.Shared.Return(samples);
            ArrayPool<float>.Shared.Return(output);
            ArrayPool<double>.Shared.Return(power);
        }
    }

    public async Task<TilePlacement[]> DescribeAsync()
    {
        var tiles = await Task.WhenAll(_tiles.OfType<ICrossbarTileGrain>().Select(t => t.DescribeAsync()));
        if (_home.MovedAway(_chip)) MigrateOnIdle();
        return tiles.Select(t => t.Placement).ToArray();
    }

    /// <summary>Numbers into a pooled response buffer (the lane hands it back once read).</summary>
    private static ReadOnlyMemory<byte> Bytes<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        var buffer = ResponseBuffers.Rent(bytes.Length);
        bytes.CopyTo(buffer);
        return buffer.AsMemory(0, bytes.Length);
    }
}
