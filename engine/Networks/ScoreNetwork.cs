using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using MemristorGrid.Engine.Kernels;

namespace MemristorGrid.Engine.Networks;

/// <summary>
/// The paper's score network, generalised (inference form): D → H → … → H → D. Every hidden
/// pre-activation receives the random-Fourier time embedding [sin(2πωt), cos(2πωt)] (2K = H channels)
/// and, for conditional models, a per-class label embedding (the trained one-hot → Linear → GELU →
/// Linear path, evaluated once per class into a table whose last row is the null label used by
/// classifier-free guidance). Hidden units use ReLU, optionally saturating at <see cref="Saturation"/>;
/// the output is multiplied by <see cref="OutputGain"/>.
/// </summary>
public sealed class ScoreNetwork : IScoreNetworkInfo
{
    public ScoreNetwork(
        IReadOnlyList<DenseLayer> layers,
        float[] angularFrequencies,
        float[]? labelTable,
        float? saturation,
        float outputGain,
        DiffusionMetadata metadata,
        HiddenActivation activation = HiddenActivation.Relu)
    {
        if (layers.Count < 2)
            throw new ArgumentException("a score network needs at least one hidden layer and an output layer");
        int d = layers[0].Inputs;
        int h = layers[0].Outputs;
        for (int i = 1; i < layers.Count; i++)
        {
            if (layers[i].Inputs != layers[i - 1].Outputs)
                throw new ArgumentException($"layer {i} takes {layers[i].Inputs} inputs but layer {i - 1} gives {layers[i - 1].Outputs}");
            if (i < layers.Count - 1 && layers[i].Outputs != h)
                throw new ArgumentException($"hidden layer {i} has width {layers[i].Outputs}, expected {h}");
        }
        if (layers[^1].Outputs != d)
            throw new ArgumentException($"output layer gives {layers[^1].Outputs} values, expected the input dimension {d}");
        if (angularFrequencies.Length * 2 != h)
            throw new ArgumentException($"{angularFrequencies.Length} time frequencies give {2 * angularFrequencies.Length} embedding channels, hidden width is {h}");
        if (labelTable is not null && (labelTable.Length % h != 0 || labelTable.Length / h < 2))
            throw new ArgumentException("label table must hold (classes + 1) rows of the hidden width");
        if (saturation is { } s && !(s > 0))
            throw new ArgumentException("saturation level must be positive");
        if (saturation is not null && activation != HiddenActivation.Relu)
            throw new ArgumentException("a saturation level belongs to a ReLU (Clip); smooth activations have none");

        Layers = layers;
        AngularFrequencies = angularFrequencies;
        LabelTable = labelTable;
        Saturation = saturation;
        OutputGain = outputGain;
        Metadata = metadata;
        Activation = activation;
    }

    /// <summary>The hidden layers' activation (the paper's networks: ReLU, saturating when <see cref="Saturation"/> is set).</summary>
    public HiddenActivation Activation { get; }

    public IReadOnlyList<DenseLayer> Layers { get; }
    public int InputDim => Layers[0].Inputs;
    public double MacsPerEvaluation => Layers.Sum(l => (double)l.Inputs * l.Outputs);
    public int HiddenWidth => Layers[0].Outputs;
    public int HiddenLayers => Layers.Count - 1;

    /// <summary>2π·ω for the K fixed random frequencies ω, exactly the constant the ONNX graph multiplies
    /// t by (embedding channels sin(2πωt) then cos(2πωt)). Stored in this form so that export → import
    /// → export is bit-exact.</summary>
    public float[] AngularFrequencies { get; }

    /// <summary>ω in cycles per unit diffusion time (for display and metadata).</summary>
    public double[] TimeFrequencies => AngularFrequencies.Select(a => a / (2 * Math.PI)).ToArray();

    /// <summary>[(classes + 1) × H]; row c is class c, the last row the null (unconditional) label.</summary>
    public float[]? LabelTable { get; }
    public bool IsConditional => LabelTable is not null;
    public int ClassCount => LabelTable is null ? 0 : LabelTable.Length / HiddenWidth - 1;

    /// <summary>Label index that selects the null embedding (classifier-free guidance's ∅).</summary>
    public int NullLabel => ClassCount;

    public float? Saturation { get; }
    public float OutputGain { get; }
    public DiffusionMetadata Metadata { get; }

    /// <summary>The same network under other metadata (a schedule given on the command line for a foreign model).</summary>
    public ScoreNetwork WithMetadata(DiffusionMetadata metadata) => new(Layers, AngularFrequencies, LabelTable, Saturation, OutputGain, metadata, Activation);

    public IReadOnlyList<string> ClassNames => Metadata.ClassNames;

    /// <summary>
    /// score[n, :] = s(x[n, :], t[n], label[n]) for a row-major batch. <paramref name="labels"/> may be
    /// empty for unconditional models (or to use the null label). Allocates nothing once
    /// <paramref name="workspace"/> has grown to the batch size.
    /// </summary>
    public void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<long> labels, Span<float> score, ScoreWorkspace workspace)
    {
        int d = InputDim, h = HiddenWidth, n = t.Length;
        if (x.Length != n * d) throw new ArgumentException($"x holds {x.Length} values, expected {n}×{d}");
        if (score.Length != n * d) throw new ArgumentException($"score holds {score.Length} values, expected {n}×{d}");
        if (labels.Length != 0 && labels.Length != n) throw new ArgumentException($"labels hold {labels.Length} values, expected {n}");
        workspace.Ensure(this, n);
        Span<float> a = workspace.A.AsSpan(0, n * h);
        Span<float> b = workspace.B.AsSpan(0, n * h);
        Span<float> embedding = workspace.Embedding.AsSpan(0, n * h);

        TimeEmbedding(t, embedding);
        if (LabelTable is not null)
        {
            for (int i = 0; i < n; i++)
            {
                long label = labels.Length == 0 ? NullLabel : labels[i];
                if ((ulong)label > (ulong)NullLabel)
                    throw new ArgumentException($"label {label} is outside 0..{NullLabel} (the last is the null label)");
                TensorPrimitives.Add(embedding.Slice(i * h, h), LabelTable.AsSpan((int)label * h, h), embedding.Slice(i * h, h));
            }
        }

        // Each layer is one batched product on the tiles' kernel, then whole-batch passes: bias, embedding, activation.
        var packed = PackedLayers;
        ReadOnlySpan<float> input = x;
        Span<float> output = a;
        for (int l = 0; l < Layers.Count - 1; l++)
        {
            var layer = Layers[l];
            Gemm.Multiply(input, n, layer.Inputs, packed[l], output, layer.Outputs);
            var bias = workspace.BiasRows[l].AsSpan(0, n * layer.Outputs);
            if (Activation == HiddenActivation.Relu) Relu.AddClamp(output, bias, embedding, Saturation ?? float.PositiveInfinity);
            else
            {
                TensorPrimitives.Add(output, bias, output);
                TensorPrimitives.Add(output, embedding, output);
                for (int j = 0; j < output.Length; j++) output[j] = Activation.Apply(output[j]);
            }
            input = output;
            output = output == a ? b : a;
        }
        var last = Layers[^1];
        Gemm.Multiply(input, n, last.Inputs, packed[^1], score, last.Outputs);
        TensorPrimitives.Add(score, workspace.BiasRows[^1].AsSpan(0, n * last.Outputs), score);
        if (OutputGain != 1f) TensorPrimitives.Multiply(score, OutputGain, score);
    }

    private PackedMatrix[]? _packed;

    /// <summary>The layers' weights packed for <see cref="Gemm"/> (one row per input), built on first use.</summary>
    private PackedMatrix[] PackedLayers => _packed ??= Layers.Select(layer =>
    {
        var byInput = new float[layer.Inputs * layer.Outputs];
        for (int o = 0; o < layer.Outputs; o++)
            for (int i = 0; i < layer.Inputs; i++) byInput[i * layer.Outputs + o] = layer.Weights[o * layer.Inputs + i];
        return PackedMatrix.FromInputRows(byInput, layer.Inputs, layer.Outputs);
    }).ToArray();

    /// <summary>[sin(2πωt) | cos(2πωt)] per sample: the phase 2πω·t in float like the exported graph, its sine
    /// and cosine by <see cref="FastTrig"/> (within 2.5e-7; the same bits for one sample or a batch, on every
    /// instruction width), so the controller's DACs and the engine's forward pass see the same values.</summary>
    public void TimeEmbedding(ReadOnlySpan<float> t, Span<float> embedding)
    {
        int k = AngularFrequencies.Length, h = 2 * k, n = t.Length, values = n * k;
        if (k <= Vector256<float>.Count && Simd.Width != KernelWidth.Scalar)
        {
            // Few frequencies (the paper's 7): one vector per sample, phases to sine and cosine in registers,
            // stored whole; each store's spill is overwritten by the next (cosines after sines, the next row
            // after this one's cosines), and the last row goes through a buffer. The same bits: FastTrig
            // gives them on every width.
            Span<float> padded = stackalloc float[2 * Vector256<float>.Count];
            padded.Clear();
            AngularFrequencies.CopyTo(padded);
            var frequencies = Vector256.Create((ReadOnlySpan<float>)padded);
            for (int i = 0; i < n; i++)
            {
                var (sines, cosines) = FastTrig.SinCos(Vector256.Create(t[i]) * frequencies);
                if (i * h + k + Vector256<float>.Count <= embedding.Length)
                {
                    sines.CopyTo(embedding.Slice(i * h, Vector256<float>.Count));
                    cosines.CopyTo(embedding.Slice(i * h + k, Vector256<float>.Count));
                }
                else
                {
                    sines.CopyTo(padded);
                    cosines.CopyTo(padded[k..]);
                    padded[..h].CopyTo(embedding.Slice(i * h, h));
                }
            }
            return;
        }
        float[]? rented = values > 256 ? ArrayPool<float>.Shared.Rent(3 * values) : null;
        Span<float> scratch = rented is null ? stackalloc float[3 * values] : rented.AsSpan(0, 3 * values);
        Span<float> phase = scratch[..values], sin = scratch.Slice(values, values), cos = scratch.Slice(2 * values, values);
        ReadOnlySpan<float> omega = AngularFrequencies;
        for (int i = 0; i < n; i++) TensorPrimitives.Multiply(omega, t[i], phase.Slice(i * k, k));
        FastTrig.SinCos(phase, sin, cos);
        for (int i = 0; i < n; i++)
        {
            sin.Slice(i * k, k).CopyTo(embedding.Slice(i * h, k));
            cos.Slice(i * k, k).CopyTo(embedding.Slice(i * h + k, k));
        }
        if (rented is not null) ArrayPool<float>.Shared.Return(rented);
    }
}

/// <summary>Scratch buffers for <see cref="ScoreNetwork.Forward"/>; one per thread, reused across calls.</summary>
public sealed class ScoreWorkspace
{
    internal float[] A = [];
    internal float[] B = [];
    internal float[] Embedding = [];

    /// <summary>Per layer, its bias repeated for every sample of the batch (added in one pass).</summary>
    internal float[][] BiasRows = [];
    private ScoreNetwork? _network;
    private int _batch;

    internal void Ensure(ScoreNetwork network, int batch)
    {
        if (batch <= _batch && ReferenceEquals(network, _network)) return;
        batch = Math.Max(batch, _batch);
        int width = network.HiddenWidth;
        A = new float[batch * width];
        B = new float[batch * width];
        Embedding = new float[batch * width];
        BiasRows = network.Layers.Select(layer =>
        {
            var rows = new float[batch * layer.Outputs];
            for (int i = 0; i < batch; i++) layer.Bias.CopyTo(rows, i * layer.Outputs);
            return rows;
        }).ToArray();
        _network = network;
        _batch = batch;
    }
}
