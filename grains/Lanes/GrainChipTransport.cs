using System.Runtime.InteropServices;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Wire;

namespace MemristorGrid.Grains.Lanes;

/// <summary>The lane driver's transport over placed chip grains (<c>--placement chips</c>): one call per chip step to the chip's
/// silo, whose periphery calls the chip's tiles there; the numbers travel as immutable byte buffers (Orleans would serialise a
/// float[] element by element).</summary>
/// <param name="chips">The grain of each chip, by chip number.</param>
/// <param name="hiddenWidth">Width H of an embedding row.</param>
public sealed class GrainChipTransport(int steps, int hiddenWidth, IChipGrain[] chips) : ITracedChipTransport
{
    private int _tracedCalls;

    // Per step: the activations go as they are (a view of the lane's plane, which the lane does not touch
    // until the call returns); the other request buffers are reused once the call has returned (a local
    // call reads them before it answers, and a remote call has serialised them by then).
    private readonly BytesOf<float>[] _inputs = Enumerable.Range(0, steps).Select(_ => new BytesOf<float>()).ToArray();
    private readonly byte[]?[] _samples = new byte[steps][];
    private readonly byte[]?[] _embedding = new byte[steps][];
    private readonly byte[]?[] _rows = new byte[steps][];

    /// <summary>Marks the next <paramref name="calls"/> chip calls for tracing (one network pass per window).</summary>
    public void TraceNext(int calls) => _tracedCalls = calls;

    public async ValueTask<ChipStepResult> EvaluateAsync(ChipStep step, ReadOnlyMemory<float> input, int count, ReadContext read, StepEmbedding embedding,
        Memory<float> output, Memory<double> tilePower, CancellationToken cancel)
    {
        bool traced = _tracedCalls > 0;
        if (traced) _tracedCalls--;
        int s = step.Index;
        var inputs = _inputs[s].Of(input);
        var samples = read.Samples is { } indices ? Copy(ref _samples[s], MemoryMarshal.AsBytes(indices.AsSpan(0, count))) : ReadOnlyMemory<byte>.Empty;
        ReadOnlyMemory<byte> table = ReadOnlyMemory<byte>.Empty, rows = ReadOnlyMemory<byte>.Empty;
        if (step.AppliesActivations)
        {
            var rowOf = embedding.Rows.Span;
            int used = 0; // only the rows the samples use travel
            foreach (int r in rowOf) used = Math.Max(used, r + 1);
            table = Copy(ref _embedding[s], MemoryMarshal.AsBytes(embedding.Table.Span[..(used * hiddenWidth)]));
            rows = Copy(ref _rows[s], MemoryMarshal.AsBytes(rowOf));
        }
        var request = new ChipRequest(s, inputs, count, read.Seed, read.FirstSample, read.Interval, read.Pass, traced, samples, table, rows);
        var response = await chips[step.Chip].EvaluateAsync(request);
        // The answer is read where it arrived (a local chip's pooled buffer, or the deserialiser's), not copied.
        return new ChipStepResult(new TileEvaluation(response.CellPowerWatts, response.InputOverflows, response.SaturatedOutputs, response.AdcOverflows),
            InPlace: false, response.Outputs, response.TilePower);
    }

    public void Release(in ChipStepResult result)
    {
        ResponseBuffers.Return(result.Outputs);
        ResponseBuffers.Return(result.TilePower);
    }

    /// <summary>Copies into a reused buffer that only grows (a stage may evaluate fewer samples than the last).</summary>
    private static ReadOnlyMemory<byte> Copy(ref byte[]? reused, ReadOnlySpan<byte> source)
    {
        if (reused is null || reused.Length < source.Length) reused = new byte[source.Length];
        source.CopyTo(reused);
        return reused.AsMemory(0, source.Length);
    }
}

/// <summary>A lane's transport whose next network pass can be traced.</summary>
public interface ITracedChipTransport : IChipTransport
{
    /// <summary>Marks the next <paramref name="steps"/> chip steps for tracing (one network pass per window).</summary>
    void TraceNext(int steps);
}
