using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Latent;

/// <summary>What decoding on crossbar tiles cost and clipped.</summary>
public sealed record AnalogDecoderReport(int Tiles, int Chips, long Mvms, long InputOverflows, long SaturatedOutputs, long ClippedActivations, double CellEnergyJoules);

/// <summary>
/// The VAE decoder programmed onto crossbar tiles of the same hardware profile as the score network
/// (its own tiles, partitioned like any layer stack): every layer an MVM through programmed, noisy
/// conductances with the profile's DAC/ADC/TIA, hidden layers through the activation circuit's ReLU
/// and rail. The latent scale is folded into the first layer's weights, so the latents enter in the
/// score network's units (the range its integrators hold). The final sigmoid is applied digitally
/// after the ADC: the paper has no analog sigmoid. Cell energy counts each MVM's Σ V²·G over the
/// TIA settling time (taken as the read window); the periphery of the decoder tiles is not in the energy figure.
/// </summary>
public sealed class AnalogDecoder
{
    /// <summary>Keeps the decoder's programming draws apart from the score network's tiles on the same chip seed.</summary>
    private const ulong DecoderChipKey = 0x5641454465636F64UL;

    private readonly DeploymentPlan _plan;
    private readonly CrossbarTile[] _tiles;
    private readonly int _pixels;
    private readonly float _rail;
    private readonly double _readSeconds;
    private readonly ulong _seed;

    public AnalogDecoder(VaeModel vae, HardwareProfile profile, ulong programSeed, ulong readSeed)
    {
        var layers = Layers(vae);
        _plan = DeploymentPlan.Create(layers, profile.Mapping);
        ulong chipSeed = Streams.Mix(programSeed ^ DecoderChipKey);
        _tiles = _plan.Tiles.Select(tp =>
        {
            var block = ConductanceMapping.Program(tp, layers[tp.Layer], profile, chipSeed);
            return new CrossbarTile(tp, block, profile);
        }).ToArray();
        _pixels = vae.PixelCount;
        _rail = Converters.Rail(profile.Activation.SaturationVolts, profile);
        _readSeconds = profile.Tia.SettlingSeconds;
        _seed = readSeed ^ DecoderChipKey;
    }

    public DeploymentPlan Plan => _plan;

    /// <summary>How the decoder's layers partition onto tiles and chips (nothing programmed).</summary>
    public static DeploymentPlan PlanFor(VaeModel vae, MappingParameters mapping) => DeploymentPlan.Create(Layers(vae), mapping);

    /// <summary>The decoder as dense layers, the latent scale folded into the first layer's weights.</summary>
    private static List<DenseLayer> Layers(VaeModel vae)
    {
        var layers = new List<DenseLayer>();
        for (int l = 0; l < vae.Decoder.Layers.Count; l++)
        {
            var (fin, fout, w, b) = vae.Decoder.Layers[l];
            var weights = vae.DecoderParameters.AsSpan(w, fin * fout).ToArray();
            if (l == 0) for (int i = 0; i < weights.Length; i++) weights[i] *= (float)vae.Prior.Scale;
            layers.Add(new DenseLayer(fin, fout, weights, vae.DecoderParameters.AsSpan(b, fout).ToArray()));
        }
        return layers;
    }

    /// <summary>Images [count × pixels] in [0, 1] for latents [count × latent] in score-model units.</summary>
    public (float[] Images, AnalogDecoderReport Report) Decode(ReadOnlySpan<float> latents, int count)
    {
        var images = new float[count * _pixels];
        long mvms = 0, overflows = 0, saturated = 0, clipped = 0;
        double energy = 0;
        const int chunk = 256;
        int maxWidth = Math.Max(_plan.LayerInputs.Max(), _plan.LayerOutputs.Max());
        var a = new float[chunk * maxWidth];
        var b = new float[chunk * maxWidth];
        var tileIn = _plan.Tiles.Select(t => new float[chunk * t.RowCount]).ToArray();
        var tileOut = _plan.Tiles.Select(t => new float[chunk * t.ColCount]).ToArray();
        for (int start = 0; start < count; start += chunk)
        {
            int n = Math.Min(chunk, count - start);
            int inWidth = _plan.LayerInputs[0];
            latents.Slice(start * inWidth, n * inWidth).CopyTo(a);
            float[] input = a, output = b;
            for (int l = 0; l < _plan.LayerCount; l++)
            {
                int outWidth = _plan.LayerOutputs[l];
                Array.Clear(output, 0, n * outWidth);
                foreach (int t in _plan.LayerTiles[l])
                {
                    var tp = _plan.Tiles[t];
                    tp.GatherInputs(input, inWidth, tileIn[t], n);
                    var evaluation = _tiles[t].Evaluate(tileIn[t], tileOut[t], n, new ReadContext(_seed, start, 0, l));
                    mvms += n;
                    overflows += evaluation.InputOverflows;
                    saturated += evaluation.SaturatedOutputs;
                    energy += evaluation.CellPowerWatts * _readSeconds;
                    tp.AddPartials(tileOut[t], output, outWidth, n);
                }
                if (l < _plan.LayerCount - 1)
                    for (int i = 0; i < n * outWidth; i++)
                    {
                        float v = output[i];
                        if (v > _rail) { v = _rail; clipped++; }
                        output[i] = v > 0 ? v : 0;
                    }
                (input, output) = (output, input);
                inWidth = outWidth;
            }
            System.Numerics.Tensors.TensorPrimitives.Sigmoid(input.AsSpan(0, n * _pixels), images.AsSpan(start * _pixels, n * _pixels));
        }
        return (images, new AnalogDecoderReport(_tiles.Length, _plan.ChipCount, mvms, overflows, saturated, clipped, energy));
    }
}
