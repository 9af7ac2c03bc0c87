using System.Runtime.InteropServices;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Telemetry;
using MemristorGrid.Grains.Tiles;

namespace MemristorGrid.Grains.Lanes;

/// <summary>The lane driver's transport in the default placement: the chip's periphery runs here, on the lane's silo
/// (<see cref="TileFanOut"/>: rows gathered, partial sums added, activations applied), and every tile is its own grain on the
/// same silo (<see cref="ILocalTileGrain"/>), a layer's tiles called at once. The step's outputs land in the lane's buffers.</summary>
/// <param name="tiles">The grain of each tile, by plan index.</param>
public sealed class GrainTileTransport(TileFanOut fanOut, ICrossbarTileGrain?[] tiles, IReadOnlyList<Engine.Partitioning.TilePlan> plan) : ITracedChipTransport
{
    private int _tracedCalls;
    private byte[] _samples = [];

    /// <summary>Marks the next <paramref name="steps"/> chip steps (and their tile calls) for tracing (one network pass per window).</summary>
    public void TraceNext(int steps) => _tracedCalls = steps;

    public async ValueTask<ChipStepResult> EvaluateAsync(ChipStep step, ReadOnlyMemory<float> input, int count, ReadContext read, StepEmbedding embedding,
        Memory<float> output, Memory<double> tilePower, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        bool traced = _tracedCalls > 0;
        if (traced) _tracedCalls--;
        using var span = traced ? Instruments.Source.StartActivity("chip.evaluate") : null;
        if (span is not null)
        {
            span.SetTag("chip", step.Chip);
            span.SetTag("step", step.Index);
            span.SetTag("tiles", string.Join(',', step.Tiles.Select(t => plan[t].Id)));
        }
        var samples = ReadOnlyMemory<byte>.Empty;
        if (read.Samples is { } indices)
        {
            // Made once per step, read by every tile call of it (a lane awaits the step before the next).
            int bytes = count * sizeof(long);
            if (_samples.Length < bytes) _samples = new byte[bytes];
            MemoryMarshal.AsBytes(indices.AsSpan(0, count)).CopyTo(_samples);
            samples = _samples.AsMemory(0, bytes);
        }
        var evaluation = await fanOut.EvaluateAsync(step, input, count, read, embedding.Table, embedding.Rows, output, tilePower,
            new GrainTileCaller(tiles, samples, traced));
        return new ChipStepResult(evaluation, InPlace: true);
    }

    public void Release(in ChipStepResult result) { }
}
