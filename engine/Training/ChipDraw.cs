using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Training;

/// <summary>
/// Training for a hardware profile: what the profile's chip does to a network of the paper's family, drawn afresh for every
/// training step. The weights are programmed exactly as a run programs them — the profile's mapping (layer or column
/// scales) and tiling, levels, write-verify with its write noise, relaxation, stuck-at faults, drift and its compensation,
/// resistive wires superposed — through <see cref="ConductanceMapping"/> and <see cref="CrossbarTile.Arrays"/>, so the
/// weights a step trains with are one chip's effective weights. The signals see the chip's read noise (each output's
/// σ_r·sqrt(Σ x²(G⁺² + G⁻²))·s/ΔG from that chip's conductances), the TIA rails on every tile sum, the activation rail and
/// the embedding DACs (<see cref="DenoisingScoreMatching"/>). Gradients pass straight through the programming error, as
/// aihwkit's hardware-aware training does with its noise. Converters at chip boundaries are not modelled: the paper's
/// networks fit one chip.
/// </summary>
public sealed class ChipDraw
{
    private readonly HardwareProfile _profile;
    private readonly TrainableScoreNetwork _net;
    private readonly DenseLayer[] _layers;  // refilled with each step's weights (float, as a model file holds them)
    private readonly DeploymentPlan _plan;  // the tiling depends on the layers' shapes only

    public ChipDraw(HardwareProfile profile, TrainableScoreNetwork net)
    {
        _profile = profile;
        _net = net;
        ReadSigma = profile.Device.ReadNoiseSigma;
        TiaRail = Converters.Rail(profile.Tia.SaturationVolts, profile);
        ActivationRail = Converters.Rail(profile.Activation.SaturationVolts, profile);
        EmbeddingDac = Converters.EmbeddingDac(profile);
        NoiseWeights = net.LayerSlots.Select(s => new double[(s.In + 1) * s.Out]).ToArray();
        LayerOutputOffsets = new int[net.LayerSlots.Count];
        for (int l = 1; l < LayerOutputOffsets.Length; l++) LayerOutputOffsets[l] = LayerOutputOffsets[l - 1] + net.LayerSlots[l - 1].Out;
        OutputsPerSample = LayerOutputOffsets[^1] + net.LayerSlots[^1].Out;
        _layers = net.LayerSlots.Select(s => new DenseLayer(s.In, s.Out, new float[s.In * s.Out], new float[s.Out])).ToArray();
        _plan = DeploymentPlan.Create(_layers, profile.Mapping);
    }

    /// <summary>Relative σ of each device's conductance per read.</summary>
    public double ReadSigma { get; }

    /// <summary>Every tile sum is clamped at ±this (network units).</summary>
    public float TiaRail { get; }

    /// <summary>The hidden activations saturate here (network units).</summary>
    public float ActivationRail { get; }

    /// <summary>The controller's DACs that hold the time (and label) embedding.</summary>
    public Quantizer EmbeddingDac { get; }

    /// <summary>Per dense layer, the read-noise weight (G⁺² + G⁻²)·(s/ΔG)² of input i for output o at [o·(In + 1) + i]
    /// (the bias row is input In, driven at one unit), of the chip last drawn.</summary>
    public double[][] NoiseWeights { get; }

    /// <summary>Read-noise draw of output o of layer l for sample n: n·OutputsPerSample + LayerOutputOffsets[l] + o.</summary>
    public int[] LayerOutputOffsets { get; }
    public int OutputsPerSample { get; }

    /// <summary>The chip of training step <paramref name="step"/>: its own programming seed, a pure function of (seed, step).</summary>
    public static ulong ChipSeed(ulong seed, ulong step) => Streams.Mix(Streams.Id(StreamPurpose.TrainingChip, seed, step));

    /// <summary>
    /// Programs a chip with the dense layers of <paramref name="p"/> and writes its effective weights into
    /// <paramref name="effective"/> (every other parameter, e.g. the controller's label MLP, is copied), and its read-noise
    /// weights into <see cref="NoiseWeights"/>.
    /// </summary>
    public void Program(ReadOnlySpan<double> p, ulong chipSeed, Span<double> effective)
    {
        p.CopyTo(effective);
        var slots = _net.LayerSlots;
        for (int l = 0; l < slots.Count; l++)
        {
            var (fin, fout, w, b) = slots[l];
            for (int i = 0; i < fin * fout; i++) _layers[l].Weights[i] = (float)p[w + i];
            for (int i = 0; i < fout; i++) _layers[l].Bias[i] = (float)p[b + i];
        }
        foreach (var tile in _plan.Tiles)
        {
            var block = ConductanceMapping.Program(tile, _layers[tile.Layer], _profile, chipSeed);
            var (weights, noise, _, _) = CrossbarTile.Arrays(tile, block, _profile);
            var (fin, _, w, b) = slots[tile.Layer];
            var noiseWeights = NoiseWeights[tile.Layer];
            for (int r = 0; r < tile.RowCount; r++)
            {
                int input = tile.RowStart + r;
                for (int c = 0; c < tile.ColCount; c++)
                {
                    int output = tile.ColStart + c, k = r * tile.ColCount + c;
                    // A calibration's offset trim acts like the bias row's weight (its input is always one unit).
                    double trim = input == fin && block.ColumnOffset is { } offset ? offset[c] : 0;
                    effective[input == fin ? b + output : w + output * fin + input] = weights[k] + trim;
                    noiseWeights[output * (fin + 1) + input] = noise.Length == 0 ? 0 : noise[k];
                }
            }
        }
    }
}

/// <summary>What the chip of one training step does to the signals: <see cref="ChipDraw"/> with the read-noise draws of the step.</summary>
public readonly record struct ChipSignals(ChipDraw Chip, CounterRng ReadNoise)
{
    /// <summary>
    /// A tile sum as the chip delivers it: plus the read noise of that chip's conductances for this input,
    /// σ_r·sqrt(Σ_i x_i²·Q_oi + Q_o,bias)·z (draw <see cref="ChipDraw.LayerOutputOffsets"/>), then clamped at the TIA rail
    /// (<paramref name="railed"/> says whether it was).
    /// </summary>
    public double TileSum(double sum, ReadOnlySpan<double> input, int layer, int output, int sample, ref bool railed)
    {
        if (Chip.ReadSigma > 0)
        {
            var q = Chip.NoiseWeights[layer].AsSpan(output * (input.Length + 1), input.Length + 1);
            double variance = q[input.Length];
            for (int i = 0; i < input.Length; i++) variance += input[i] * input[i] * q[i];
            ulong counter = (ulong)sample * (ulong)Chip.OutputsPerSample + (ulong)(Chip.LayerOutputOffsets[layer] + output);
            sum += Chip.ReadSigma * Math.Sqrt(variance) * ReadNoise.Gaussian(counter);
        }
        railed = Math.Abs(sum) > Chip.TiaRail;
        return Math.Clamp(sum, -Chip.TiaRail, Chip.TiaRail);
    }
}
