using System.Runtime.InteropServices;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Telemetry;
using MemristorGrid.Grains.Tiles;
using MemristorGrid.Grains.Wire;

namespace MemristorGrid.Grains.Lanes;

/// <summary>The lane driver's transport in the default placement: the chip's periphery runs here, on the lane's silo
/// (<see cref="TileFanOut"/>: rows gathered, partial sums added, activations applied), and every tile is its own grain on the
/// same silo (<see cref="ILocalTileGrain"/>), a layer's tiles called at once. The step's outputs land in the lane's buffers.</summary>
/// <param name="tiles">The grain of each tile, by plan index.</param>
/// <param name="schedule">The pass's chip steps, by index.</param>
public sealed class GrainTileTransport(TileFanOut fanOut, ICrossbarTileGrain?[] tiles, IReadOnlyList<Engine.Partitioning.TilePlan> plan, ChipStep[] schedule)
    : ITracedChipTransport
{
    private int _tracedCalls;
    private byte[] _samples = [];
    // Per step that does not complete its layer: its tiles' outputs, kept where they arrived until the lane has added their
    // partial sums, instead of copied into the step's output first (the copy was 9 000 of the 76 000 extra perf samples of a
    // fashion run; without it the partial sums read the answers cold themselves, so the CPU ratio did not move measurably, but
    // the data crosses the memory bus once). The lane runs a layer's steps concurrently, each with its own array.
    private readonly ReadOnlyMemory<byte>[][] _keptOutputs = schedule.Select(s => s.Completes ? [] : new ReadOnlyMemory<byte>[s.Tiles.Length]).ToArray();

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
            // Made once per step, read by every tile call of it (a layer's steps, called at once, write the same indices).
            int bytes = count * sizeof(long);
            if (_samples.Length < bytes) _samples = new byte[bytes];
            MemoryMarshal.AsBytes(indices.AsSpan(0, count)).CopyTo(_samples);
            samples = _samples.AsMemory(0, bytes);
        }
        var caller = new GrainTileCaller(tiles, samples, traced);
        if (step.Completes)
            return new ChipStepResult(await fanOut.EvaluateAsync(step, input, count, read, embedding.Table, embedding.Rows, output, tilePower, caller), InPlace: true);
        var outputs = _keptOutputs[step.Index];
        var evaluation = await fanOut.EvaluateAsync(step, input, count, read, embedding.Table, embedding.Rows, output, tilePower, caller, outputs);
        return new ChipStepResult(evaluation, InPlace: true, TileOutputs: outputs);
    }

    public void Release(in ChipStepResult result)
    {
        if (result.TileOutputs is not { } outputs) return;
        foreach (var kept in outputs) ResponseBuffers.Return(kept);
        Array.Clear(outputs);
    }
}
