using System.Numerics;
using System.Numerics.Tensors;

namespace MemristorGrid.Engine.Learning;

/// <summary>
/// A plain multilayer perceptron — dense layers with ReLU between them and no activation after the
/// last — as the VAE and the metrics classifier use it. Its parameters live in one flat vector
/// (per layer W [out × in] row-major, then b [out]) so optimisers are single loops. Losses own the
/// output non-linearity (sigmoid for pixels, softmax for classes), which keeps their gradients exact.
/// </summary>
public sealed class DenseStack
{
    public DenseStack(IReadOnlyList<int> widths)
    {
        if (widths.Count < 2) throw new ArgumentException("a dense stack needs an input and an output width");
        foreach (int w in widths) if (w < 1) throw new ArgumentException($"layer widths must be positive (got {w})");
        Widths = widths.ToArray();
        var slots = new (int In, int Out, int W, int B)[widths.Count - 1];
        int offset = 0;
        for (int l = 0; l < slots.Length; l++)
        {
            slots[l] = (widths[l], widths[l + 1], offset, offset + widths[l] * widths[l + 1]);
            offset += widths[l] * widths[l + 1] + widths[l + 1];
        }
        Layers = slots;
        ParameterCount = offset;
    }

    public int[] Widths { get; }
    public int InputWidth => Widths[0];
    public int OutputWidth => Widths[^1];
    public int MaxWidth => Widths.Max();
    public IReadOnlyList<(int In, int Out, int W, int B)> Layers { get; }
    public int ParameterCount { get; }

    /// <summary>PyTorch's default Linear initialisation: U(−1/√fan_in, 1/√fan_in) for W and b.</summary>
    public double[] InitialParameters(Randomness.CounterRng rng)
    {
        var p = new double[ParameterCount];
        ulong counter = 0;
        foreach (var (fin, fout, w, b) in Layers)
        {
            double bound = 1.0 / Math.Sqrt(fin);
            for (int i = 0; i < fin * fout + fout; i++) p[w + i] = bound * (2.0 * rng.Uniform(counter++) - 1.0);
        }
        return p;
    }
}

/// <summary>
/// Forward and reverse pass of a <see cref="DenseStack"/> over a batch, with caller-owned buffers
/// sized once for the largest batch (nothing is allocated per call). Generic so training runs in
/// float while gradient checks run the same code in double.
/// </summary>
public sealed class DenseStackPass<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly DenseStack _stack;
    private readonly T[][] _activations;   // per layer output [capacity × width]; [0] is the input copy
    private readonly T[] _delta, _deltaPrev;

    public DenseStackPass(DenseStack stack, int capacity)
    {
        _stack = stack;
        Capacity = capacity;
        _activations = stack.Widths.Select(w => new T[capacity * w]).ToArray();
        _delta = new T[capacity * stack.MaxWidth];
        _deltaPrev = new T[capacity * stack.MaxWidth];
    }

    public int Capacity { get; }
    public int Count { get; private set; }

    /// <summary>The last layer's values (pre-activation) for the batch of the last <see cref="Forward"/>.</summary>
    public ReadOnlySpan<T> Output => _activations[^1].AsSpan(0, Count * _stack.OutputWidth);

    /// <summary>The ReLU outputs of hidden layer <paramref name="layer"/> (1-based, as widths count).</summary>
    public ReadOnlySpan<T> Hidden(int layer) => _activations[layer].AsSpan(0, Count * _stack.Widths[layer]);

    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> p, ReadOnlySpan<T> input, int count)
    {
        if (count > Capacity) throw new ArgumentException($"batch {count} exceeds the pass capacity {Capacity}");
        Count = count;
        input[..(count * _stack.InputWidth)].CopyTo(_activations[0]);
        var layers = _stack.Layers;
        for (int l = 0; l < layers.Count; l++)
        {
            var (fin, fout, w, b) = layers[l];
            var x = _activations[l];
            var y = _activations[l + 1];
            bool hidden = l < layers.Count - 1;
            var weights = p.Slice(w, fin * fout);
            var bias = p.Slice(b, fout);
            for (int n = 0; n < count; n++)
            {
                var row = x.AsSpan(n * fin, fin);
                var outRow = y.AsSpan(n * fout, fout);
                for (int o = 0; o < fout; o++)
                {
                    T v = bias[o] + TensorPrimitives.Dot(weights.Slice(o * fin, fin), row);
                    outRow[o] = hidden && v < T.Zero ? T.Zero : v;
                }
            }
        }
        return Output;
    }

    /// <summary>
    /// Adds ∂loss/∂p to <paramref name="gradient"/> given ∂loss/∂output (the last layer's values) for the
    /// batch of the last <see cref="Forward"/>; writes ∂loss/∂input into <paramref name="inputGradient"/>
    /// when it is not empty.
    /// </summary>
    public void Backward(ReadOnlySpan<T> p, ReadOnlySpan<T> outputGradient, Span<T> gradient, Span<T> inputGradient = default)
    {
        int count = Count;
        var layers = _stack.Layers;
        outputGradient[..(count * _stack.OutputWidth)].CopyTo(_delta);
        for (int l = layers.Count - 1; l >= 0; l--)
        {
            var (fin, fout, w, b) = layers[l];
            var x = _activations[l];
            var weights = p.Slice(w, fin * fout);
            var gw = gradient.Slice(w, fin * fout);
            var gb = gradient.Slice(b, fout);
            bool needInput = l > 0 || !inputGradient.IsEmpty;
            if (needInput) _deltaPrev.AsSpan(0, count * fin).Clear();
            for (int n = 0; n < count; n++)
            {
                var d = _delta.AsSpan(n * fout, fout);
                var row = x.AsSpan(n * fin, fin);
                var dPrev = _deltaPrev.AsSpan(n * fin, fin);
                for (int o = 0; o < fout; o++)
                {
                    T g = d[o];
                    if (g == T.Zero) continue;
                    gb[o] += g;
                    var gRow = gw.Slice(o * fin, fin);
                    TensorPrimitives.MultiplyAdd(row, g, gRow, gRow);
                    if (needInput) TensorPrimitives.MultiplyAdd(weights.Slice(o * fin, fin), g, dPrev, dPrev);
                }
            }
            if (l == 0)
            {
                if (!inputGradient.IsEmpty) _deltaPrev.AsSpan(0, count * fin).CopyTo(inputGradient);
                break;
            }
            // Through the ReLU of layer l's input: its output x is zero exactly where it was cut.
            for (int i = 0; i < count * fin; i++) _delta[i] = x[i] > T.Zero ? _deltaPrev[i] : T.Zero;
        }
    }
}
