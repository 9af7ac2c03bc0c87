using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;

namespace MemristorGrid.Engine.Simulation;

/// <summary>
/// One pass of the score network through the crossbar tiles, layer by layer, for a batch of samples:
/// every tile of a layer is asked at once, then the partial sums are added in plan order, and on the
/// home chip each sample's embedding row is added and the activation circuit applied (the output layer
/// is scaled by the network's gain instead).
/// </summary>
internal sealed class NetworkPass(ScoreNetwork network, DeploymentPlan plan, ActivationCircuit activation)
{
    public DeploymentPlan Plan => plan;
    public int MaxWidth { get; } = Math.Max(network.InputDim, plan.LayerOutputs.Max());
    public int MaxTilesPerLayer { get; } = plan.LayerTiles.Max(t => t.Length);

    /// <summary>Per-lane buffers of a pass: tile inputs, outputs and cell powers, two activation planes, pending tile calls.</summary>
    public sealed class Buffers(NetworkPass pass, int count)
    {
        internal readonly float[][] TileInputs = pass.Plan.Tiles.Select(t => new float[count * t.RowCount]).ToArray();
        internal readonly float[][] TileOutputs = pass.Plan.Tiles.Select(t => new float[count * t.ColCount]).ToArray();
        internal readonly double[][] TilePower = pass.Plan.Tiles.Select(_ => new double[count]).ToArray();
        internal readonly float[] ActivationsA = new float[count * pass.MaxWidth], ActivationsB = new float[count * pass.MaxWidth];
        internal readonly ValueTask<TileEvaluation>[] Pending = new ValueTask<TileEvaluation>[pass.MaxTilesPerLayer];
    }

    /// <param name="n">Samples in the batch (rows of x and score).</param>
    /// <param name="embedding">Embedding DAC outputs: row <paramref name="rowOf"/>[i] (width H) is added for sample i.</param>
    /// <param name="power">Each tile's cell power per sample is added here: power[t × n + i].</param>
    public async ValueTask RunAsync(Buffers w, LaneState lane, ITileTransport tiles, int n, float[] x, ReadContext read,
        float[] embedding, int[] rowOf, float[] score, double[] power, CancellationToken cancel)
    {
        int h = network.HiddenWidth, layers = plan.LayerCount;
        float[] input = x;
        int inWidth = network.InputDim;
        for (int l = 0; l < layers; l++)
        {
            int outWidth = plan.LayerOutputs[l];
            var layerTiles = plan.LayerTiles[l];
            for (int k = 0; k < layerTiles.Length; k++)
            {
                var tp = plan.Tiles[layerTiles[k]];
                var buffer = w.TileInputs[tp.Index];
                int rows = tp.RowCount;
                tp.GatherInputs(input, inWidth, buffer, n);
                w.Pending[k] = tiles.EvaluateAsync(tp.Index, buffer.AsMemory(0, n * rows), w.TileOutputs[tp.Index].AsMemory(0, n * tp.ColCount),
                    w.TilePower[tp.Index].AsMemory(0, n), n, read, cancel);
            }
            float[] output = l == layers - 1 ? score : (l % 2 == 0 ? w.ActivationsA : w.ActivationsB);
            Array.Clear(output, 0, n * outWidth);
            for (int k = 0; k < layerTiles.Length; k++)
            {
                var evaluation = await w.Pending[k];
                w.Pending[k] = default;
                var tp = plan.Tiles[layerTiles[k]];
                var tilePower = w.TilePower[tp.Index];
                for (int i = 0; i < n; i++) power[tp.Index * n + i] += tilePower[i];
                lane.TileMvms[tp.Index] += n;
                lane.Counters.InputOverflows += evaluation.InputOverflows;
                lane.Counters.TileAdcOverflows += evaluation.AdcOverflows;
                lane.Counters.SaturatedOutputs += evaluation.SaturatedOutputs;
                tp.AddPartials(w.TileOutputs[tp.Index], output, outWidth, n);
            }
            if (l < layers - 1)
            {
                for (int i = 0; i < n; i++)
                    activation.Apply(output.AsSpan(i * outWidth, outWidth), embedding.AsSpan(rowOf[i] * h, h));
            }
            else if (network.OutputGain != 1f)
            {
                for (int i = 0; i < n * outWidth; i++) output[i] *= network.OutputGain;
            }
            input = output;
            inWidth = outWidth;
        }
        lane.Counters.NetworkEvaluations++;
        lane.Counters.SampleEvaluations += n;
    }
}
