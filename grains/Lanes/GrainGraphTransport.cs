using System.Runtime.InteropServices;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Graphs.Analog;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Wire;

namespace MemristorGrid.Grains.Lanes;

/// <summary>A general graph's tiles as chip grains: one call per step (a layer's tiles on one chip), the layer's input going as
/// an immutable byte view of the lane's buffer (untouched until the call returns), the answer read where it arrived.</summary>
public sealed class GrainGraphTransport(IGraphChipGrain[] chips) : IGraphTileTransport
{
    // Reused request buffers: a lane awaits each call before the next, a local call reads them before it answers and a remote
    // call has serialised them by then.
    private readonly BytesOf<float> _activation = new();
    private byte[] _samples = [];

    public async ValueTask<ChipStepResult> EvaluateAsync(GraphChipStep step, ReadOnlyMemory<float> activation, int count, ReadContext read,
        Memory<float> partial, Memory<double> power, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        if (_samples.Length < count * sizeof(long)) _samples = new byte[count * sizeof(long)];
        var samples = MemoryMarshal.Cast<byte, long>(_samples.AsSpan(0, count * sizeof(long)));
        for (int s = 0; s < count; s++) samples[s] = read.SampleAt(s);
        var request = new GraphChipRequest(step.Index, _activation.Of(activation), count, read.Seed, read.FirstSample, read.Interval, read.Pass,
            _samples.AsMemory(0, count * sizeof(long)));
        var response = await chips[step.Chip].EvaluateAsync(request);
        return new ChipStepResult(new TileEvaluation(response.CellPowerWatts, response.InputOverflows, response.SaturatedOutputs, response.AdcOverflows),
            InPlace: false, response.Outputs, response.TilePower);
    }

    public void Release(in ChipStepResult result)
    {
        ResponseBuffers.Return(result.Outputs);
        ResponseBuffers.Return(result.TilePower);
    }
}
