using System.Runtime.InteropServices;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Wire;

namespace MemristorGrid.Grains.Lanes;

/// <summary>The lane driver's transport over tile grains: inputs and outputs travel as immutable byte
/// buffers (Orleans would serialise a float[] element by element).</summary>
public sealed class GrainTileTransport(ITileGrain[] tiles) : ITileTransport
{
    private int _tracedCalls;

    // One request buffer per tile, reused once the call has returned (the tile copies its inputs
    // before answering, and a remote call has serialised them by then).
    private readonly byte[][] _requests = new byte[tiles.Length][];
    private readonly byte[]?[] _samples = new byte[tiles.Length][];

    /// <summary>Marks the next <paramref name="calls"/> tile calls for tracing (one network pass per window).</summary>
    public void TraceNext(int calls) => _tracedCalls = calls;

    public async ValueTask<TileEvaluation> EvaluateAsync(int tile, Memory<float> inputs, Memory<float> outputs, Memory<double> cellPower, int count,
        ReadContext read, CancellationToken cancel)
    {
        bool traced = _tracedCalls > 0;
        if (traced) _tracedCalls--;
        var source = MemoryMarshal.AsBytes(inputs.Span);
        var buffer = _requests[tile];
        if (buffer is null || buffer.Length != source.Length) _requests[tile] = buffer = new byte[source.Length];
        source.CopyTo(buffer);
        byte[] samples = [];
        if (read.Samples is { } indices)
        {
            var active = MemoryMarshal.AsBytes(indices.AsSpan(0, count));
            samples = _samples[tile] is { } reused && reused.Length == active.Length ? reused : _samples[tile] = new byte[active.Length];
            active.CopyTo(samples);
        }
        var request = new TileRequest(buffer, count, read.Seed, read.FirstSample, read.Interval, read.Pass, traced, samples);
        var response = await tiles[tile].EvaluateAsync(request);
        MemoryMarshal.Cast<byte, float>(response.Outputs).CopyTo(outputs.Span);
        MemoryMarshal.Cast<byte, double>(response.CellPower).CopyTo(cellPower.Span);
        ResponseBuffers.Return(response.Outputs);
        ResponseBuffers.Return(response.CellPower);
        return new TileEvaluation(response.CellPowerWatts, response.InputOverflows, response.SaturatedOutputs, response.AdcOverflows);
    }
}
