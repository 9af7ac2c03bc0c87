using System.Numerics.Tensors;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;

namespace MemristorGrid.Engine.Simulation;

/// <summary>
/// One pass of the score network through the crossbar tiles for a batch of samples, one call per chip
/// step (<see cref="ChipStep.Schedule"/>): a chain of layers on one chip is one call that hands back
/// the chain's finished output; a layer spanning chips asks every chip at once, then adds the partial
/// sums in plan order and applies the activation circuits (each sample's embedding row added) — the
/// output layer is scaled by the network's gain instead. The arithmetic is the same whichever way a
/// layer is cut, so samples do not depend on the chip layout's call pattern.
/// </summary>
internal sealed class NetworkPass
{
    private readonly DeploymentPlan _plan;
    private readonly ChipStepEvaluator _home;
    private readonly int[] _stepOf, _colOffset, _place; // per plan tile: its step, its columns' offset in the step's output, its place among the step's tiles

    public NetworkPass(ScoreNetwork network, DeploymentPlan plan, ActivationCircuit activation)
    {
        _plan = plan;
        _home = new ChipStepEvaluator(network, plan, activation, []);
        Steps = ChipStep.Schedule(plan);
        MaxWidth = Math.Max(network.InputDim, plan.LayerOutputs.Max());
        _stepOf = new int[plan.Tiles.Count];
        _colOffset = new int[plan.Tiles.Count];
        _place = new int[plan.Tiles.Count];
        foreach (var step in Steps)
        {
            int cols = 0, place = 0;
            foreach (int t in step.Tiles)
            {
                _stepOf[t] = step.Index;
                _place[t] = place++;
                _colOffset[t] = cols;
                cols += plan.Tiles[t].ColCount;
            }
        }
    }

    public DeploymentPlan Plan => _plan;
    public ChipStep[] Steps { get; }
    public int MaxWidth { get; }

    /// <summary>Per-lane buffers of a pass: each step's outputs and tile powers, two activation planes, pending calls.</summary>
    public sealed class Buffers(NetworkPass pass, int count)
    {
        internal readonly float[][] StepOutputs = pass.Steps.Select(s => s.Completes ? [] : new float[count * s.OutputWidth]).ToArray();
        internal readonly double[][] StepPower = pass.Steps.Select(s => new double[count * s.Tiles.Length]).ToArray();
        internal readonly float[] ActivationsA = new float[count * pass.MaxWidth], ActivationsB = new float[count * pass.MaxWidth];
        internal readonly ValueTask<ChipStepResult>[] Pending = new ValueTask<ChipStepResult>[pass.Steps.Length];
        internal readonly ChipStepResult[] Results = new ChipStepResult[pass.Steps.Length];
    }

    /// <param name="n">Samples in the batch (rows of x and score).</param>
    /// <param name="embedding">Embedding DAC outputs: row <paramref name="rowOf"/>[i] (width H) is added for sample i.</param>
    /// <param name="power">Each tile's cell power per sample is added here: power[t × n + i].</param>
    public async ValueTask RunAsync(Buffers w, LaneState lane, IChipTransport tiles, int n, float[] x, ReadContext read,
        float[] embedding, int[] rowOf, float[] score, double[] power, CancellationToken cancel)
    {
        var rows = new StepEmbedding(embedding, rowOf.AsMemory(0, n));
        float[] input = x;
        int s = 0, last = _plan.LayerCount - 1;
        while (s < Steps.Length)
        {
            var step = Steps[s];
            int layer = step.LastLayer, inWidth = step.InputWidth, outWidth = _plan.LayerOutputs[layer];
            float[] output = layer == last ? score : input == w.ActivationsA ? w.ActivationsB : w.ActivationsA;
            if (step.Completes)
            {
                var result = await tiles.EvaluateAsync(step, input.AsMemory(0, n * inWidth), n, read, rows,
                    output.AsMemory(0, n * outWidth), w.StepPower[s].AsMemory(0, n * step.Tiles.Length), cancel);
                Completed(step, result, output.AsMemory(0, n * outWidth), w.StepPower[s].AsMemory(0, n * step.Tiles.Length), power, lane, n);
                tiles.Release(result);
                input = output;
                s++;
                continue;
            }
            // A layer across chips: every chip at once, then the partial sums in plan order, read where they arrived.
            int first = s;
            for (; s < Steps.Length && !Steps[s].Completes && Steps[s].FirstLayer == layer; s++)
                w.Pending[s] = tiles.EvaluateAsync(Steps[s], input.AsMemory(0, n * inWidth), n, read, rows,
                    w.StepOutputs[s].AsMemory(0, n * Steps[s].OutputWidth), w.StepPower[s].AsMemory(0, n * Steps[s].Tiles.Length), cancel);
            for (int j = first; j < s; j++)
            {
                w.Results[j] = await w.Pending[j];
                w.Pending[j] = default;
                Account(Steps[j], w.Results[j].Evaluation, w.Results[j].TilePowerOr(w.StepPower[j].AsMemory(0, n * Steps[j].Tiles.Length)), power, lane, n);
            }
            Array.Clear(output, 0, n * outWidth);
            foreach (int t in _plan.LayerTiles[layer])
            {
                var tp = _plan.Tiles[t];
                int k = _stepOf[t];
                var partials = w.Results[k].TileOutputsOr(w.StepOutputs[k].AsMemory(0, n * Steps[k].OutputWidth), _place[t], n * _colOffset[t], n * tp.ColCount);
                tp.AddPartials(partials, output, outWidth, n);
            }
            for (int j = first; j < s; j++)
            {
                tiles.Release(w.Results[j]);
                w.Results[j] = default;
            }
            _home.Finish(layer, output.AsSpan(0, n * outWidth), outWidth, n, embedding, rowOf.AsSpan(0, n));
            input = output;
        }
        lane.Counters.NetworkEvaluations++;
        lane.Counters.SampleEvaluations += n;
    }

    /// <summary>A completing step's outputs into the plane they belong in (where the transport kept them), and its accounting.</summary>
    private static void Completed(ChipStep step, in ChipStepResult result, Memory<float> output, Memory<double> stepPower, double[] power, LaneState lane, int n)
    {
        if (!result.InPlace) result.OutputsOr(output).CopyTo(output.Span);
        Account(step, result.Evaluation, result.TilePowerOr(stepPower), power, lane, n);
    }

    private static void Account(ChipStep step, TileEvaluation evaluation, ReadOnlySpan<double> stepPower, double[] power, LaneState lane, int n)
    {
        for (int k = 0; k < step.Tiles.Length; k++)
        {
            int t = step.Tiles[k];
            var into = power.AsSpan(t * n, n);
            TensorPrimitives.Add(into, stepPower.Slice(k * n, n), into);
            lane.TileMvms[t] += n;
        }
        lane.Counters.InputOverflows += evaluation.InputOverflows;
        lane.Counters.TileAdcOverflows += evaluation.AdcOverflows;
        lane.Counters.SaturatedOutputs += evaluation.SaturatedOutputs;
    }
}
