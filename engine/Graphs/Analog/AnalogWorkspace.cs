using MemristorGrid.Engine.Circuits;

namespace MemristorGrid.Engine.Graphs.Analog;

/// <summary>Scratch of an analog pass (im2col vectors, tile inputs and outputs, cell powers, digital-unit shadows): grown once, reused.</summary>
public sealed class AnalogWorkspace
{
    private float[] _vectors = [], _tileIn = [], _tileOut = [], _shadow = [], _layerOutputs = [], _partials = [], _padded = [];
    private double[] _power = [], _stepPower = [];
    private long[] _virtual = [];

    private static T[] Grow<T>(ref T[] buffer, int size)
    {
        if (buffer.Length < size) buffer = new T[size];
        return buffer;
    }

    public Span<float> Vectors(int size) => Grow(ref _vectors, size).AsSpan(0, size);
        public Span<float> TileInputs(int size) => Grow(ref _tileIn, size).AsSpan(0, size);
    public Span<float> TileOutputs(int size) => Grow(ref _tileOut, size).AsSpan(0, size);
    public Span<double> Power(int size) => Grow(ref _power, size).AsSpan(0, size);
    public long[] VirtualSamples(int size) => Grow(ref _virtual, size);

    /// <summary>A layer's summed outputs, and one chip's partial sums and tile powers (a chip call's buffers: they live across its await).</summary>
    public Span<float> Padded(int size) => Grow(ref _padded, size).AsSpan(0, size);
    public Memory<float> LayerOutputs(int size) => Grow(ref _layerOutputs, size).AsMemory(0, size);
    public Memory<float> Partials(int size) => Grow(ref _partials, size).AsMemory(0, size);
    public Memory<double> StepPower(int size) => Grow(ref _stepPower, size).AsMemory(0, size);

    /// <summary>
    /// A digital node behind converters: each input digitised by the ADC (the analog value is kept for its other readers
    /// and restored after), the node computed exactly, its output re-driven by a DAC. Returns the conversions made.
    /// </summary>
    /// <param name="inputs">The node's distinct input values; <paramref name="adcs"/> the ADC each is digitised by.</param>
    public long RunDigital(GraphNode node, GraphRun run, int[] inputs, Quantizer[] adcs, Quantizer dac, ref long overflows)
    {
        long conversions = 0;
        int total = 0;
        foreach (int input in inputs) total += run.Buffer(input).Length;
        var shadow = Grow(ref _shadow, total);
        int at = 0;
        for (int k = 0; k < inputs.Length; k++)
        {
            var values = run.Buffer(inputs[k]);
            values.CopyTo(shadow.AsSpan(at));
            at += values.Length;
            overflows += adcs[k].Apply(values);
            conversions += values.Length;
        }
        node.Run(run);
        at = 0;
        foreach (int input in inputs)
        {
            var values = run.Buffer(input);
            shadow.AsSpan(at, values.Length).CopyTo(values);
            at += values.Length;
        }
        var output = run.Buffer(node.Outputs[0]);
        overflows += dac.Apply(output);
        return conversions + output.Length;
    }
}
