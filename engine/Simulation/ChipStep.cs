using System.Buffers;
using System.Diagnostics;
using System.Runtime.Intrinsics;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Simulation;

/// <summary>
/// The work of one chip in a network pass that one call carries: either a chain of whole layers whose
/// tiles all sit on this chip (<see cref="Completes"/>: the chip adds its tiles' partial sums, applies
/// the activation circuits with each sample's embedding row and hands on the chain's finished output),
/// or this chip's tiles of one layer that spans several chips (it hands on each tile's outputs; the
/// lane adds every chip's partial sums in plan order). Tiles are plan indices, in plan order.
/// </summary>
public sealed record ChipStep(int Index, int Chip, int FirstLayer, int LastLayer, int[] Tiles, bool Completes)
{
    /// <summary>Values entering the step per sample: its first layer's input width.</summary>
    public int InputWidth { get; private init; }

    /// <summary>Values the step hands on per sample: the chain's output width, or its tiles' columns.</summary>
    public int OutputWidth { get; private init; }

    /// <summary>Whether the step applies activation circuits (and so reads each sample's embedding row).</summary>
    public bool AppliesActivations { get; private init; }

    /// <summary>The steps of one pass, in the order they run: a network on one chip is one step.</summary>
    public static ChipStep[] Schedule(DeploymentPlan plan)
    {
        var steps = new List<ChipStep>();
        for (int l = 0; l < plan.LayerCount; l++)
        {
            var tiles = plan.LayerTiles[l];
            var chips = tiles.Select(t => plan.Tiles[t].Chip).Distinct().ToArray();
            if (chips.Length == 1)
            {
                if (steps.Count > 0 && steps[^1] is { Completes: true } last && last.Chip == chips[0] && last.LastLayer == l - 1)
                    steps[^1] = last with { LastLayer = l, Tiles = [.. last.Tiles, .. tiles] };
                else
                    steps.Add(new ChipStep(steps.Count, chips[0], l, l, tiles, true));
                continue;
            }
            foreach (int chip in chips)
                steps.Add(new ChipStep(steps.Count, chip, l, l, tiles.Where(t => plan.Tiles[t].Chip == chip).ToArray(), false));
        }
        return steps.Select(s => s with
        {
            InputWidth = plan.LayerInputs[s.FirstLayer],
            OutputWidth = s.Completes ? plan.LayerOutputs[s.LastLayer] : s.Tiles.Sum(t => plan.Tiles[t].ColCount),
            AppliesActivations = s.Completes && s.FirstLayer < plan.LayerCount - 1,
        }).ToArray();
    }
}

/// <summary>The embedding DAC outputs a completing step adds before each activation: row
/// <see cref="Rows"/>[i] of <see cref="Table"/> (width H) for sample i.</summary>
public readonly record struct StepEmbedding(ReadOnlyMemory<float> Table, ReadOnlyMemory<int> Rows);

/// <summary>
/// Computes <see cref="ChipStep"/>s on programmed tiles: the arithmetic of a network pass, whoever runs
/// it — the reference transport in-process, or a chip grain on its silo. Stateless (scratch is rented
/// per call), so one instance serves concurrent lanes.
/// </summary>
public sealed class ChipStepEvaluator(ScoreNetwork network, DeploymentPlan plan, ActivationCircuit activation, IReadOnlyList<CrossbarTile?> tiles)
{
    private readonly int _maxWidth = Math.Max(network.InputDim, plan.LayerOutputs.Max());
    private readonly int _maxRows = plan.Tiles.Max(t => t.RowCount), _maxCols = plan.Tiles.Max(t => t.ColCount);

    public ChipStepEvaluator(ScoreNetwork network, DeploymentPlan plan, HardwareProfile profile, IReadOnlyList<CrossbarTile?> tiles)
        : this(network, plan, new ActivationCircuit(network, profile), tiles) { }

    /// <param name="input">[n × the step's input width]: the activations entering its first layer.</param>
    /// <param name="output">[n × <see cref="ChipStep.OutputWidth"/>], written.</param>
    /// <param name="tilePower">[step tiles × n]: each tile's cell power per sample (W), written.</param>
    /// <param name="tileSeconds">Optional, [step tiles]: each tile's wall time in this call (for telemetry).</param>
    /// <param name="embeddingTable">With <paramref name="embeddingRows"/>: the embedding row added for each sample
    /// before an activation (read only by a completing step with a hidden layer).</param>
    public TileEvaluation Evaluate(ChipStep step, ReadOnlySpan<float> input, int n, ReadContext read,
        ReadOnlySpan<float> embeddingTable, ReadOnlySpan<int> embeddingRows, Span<float> output, Span<double> tilePower, Span<double> tileSeconds = default)
    {
        var tileInput = ArrayPool<float>.Shared.Rent(n * _maxRows + Vector512<float>.Count); // room for whole-vector row copies
        var tileOutput = step.Completes ? ArrayPool<float>.Shared.Rent(n * _maxCols) : null;
        var planeA = step.Completes && step.LastLayer > step.FirstLayer ? ArrayPool<float>.Shared.Rent(n * _maxWidth) : null;
        var planeB = step.Completes && step.LastLayer > step.FirstLayer + 1 ? ArrayPool<float>.Shared.Rent(n * _maxWidth) : null;
        try
        {
            var total = new TileEvaluation(0, 0, 0);
            int k = 0, offset = 0;
            ReadOnlySpan<float> layerInput = input;
            for (int l = step.FirstLayer; l <= step.LastLayer; l++)
            {
                int inWidth = plan.LayerInputs[l], outWidth = plan.LayerOutputs[l];
                var layerOutput = !step.Completes || l == step.LastLayer ? output : ((l - step.FirstLayer) % 2 == 0 ? planeA : planeB).AsSpan(0, n * outWidth);
                // A layer on one tile that spans its columns writes the layer's output itself; otherwise partial sums are added.
                bool direct = IsOneTile(step, l);
                if (step.Completes && !direct) layerOutput[..(n * outWidth)].Clear();
                foreach (int t in TilesOf(step, l))
                {
                    var tp = plan.Tiles[t];
                    var tile = tiles[t] ?? throw new InvalidOperationException($"tile {tp.Id} is not programmed here");
                    tp.GatherInputs(layerInput, inWidth, tileInput, n);
                    var x = tileInput.AsSpan(0, n * tp.RowCount);
                    long start = tileSeconds.IsEmpty ? 0 : Stopwatch.GetTimestamp();
                    var y = direct ? layerOutput[..(n * outWidth)] : step.Completes ? tileOutput.AsSpan(0, n * tp.ColCount) : output.Slice(offset, n * tp.ColCount);
                    var e = tile.Evaluate(x, y, n, read, tilePower.Slice(k * n, n));
                    if (step.Completes && !direct) tp.AddPartials(y, layerOutput, outWidth, n);
                    if (!tileSeconds.IsEmpty) tileSeconds[k] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    total += e;
                    offset += n * tp.ColCount;
                    k++;
                }
                if (step.Completes) Finish(l, layerOutput, outWidth, n, embeddingTable, embeddingRows);
                layerInput = layerOutput;
            }
            return total;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tileInput);
            if (tileOutput is not null) ArrayPool<float>.Shared.Return(tileOutput);
            if (planeA is not null) ArrayPool<float>.Shared.Return(planeA);
            if (planeB is not null) ArrayPool<float>.Shared.Return(planeB);
        }
    }

    /// <summary>The tiles a step reads for layer <paramref name="layer"/>, in plan order: the whole layer's for a completing step,
    /// the chip's share of it otherwise.</summary>
    public int[] TilesOf(ChipStep step, int layer) => step.Completes ? plan.LayerTiles[layer] : step.Tiles;

    /// <summary>Whether layer <paramref name="layer"/> of a completing step is one tile spanning all its columns, whose outputs are
    /// the layer's (nothing to add).</summary>
    public bool IsOneTile(ChipStep step, int layer) =>
        step.Completes && plan.LayerTiles[layer] is [var only] && plan.Tiles[only].ColCount == plan.LayerOutputs[layer];

    /// <summary>What the home chip does with a finished layer: embedding and activation circuit on hidden
    /// layers, the network's output gain on the last.</summary>
    public void Finish(int layer, Span<float> output, int outWidth, int n, ReadOnlySpan<float> table, ReadOnlySpan<int> rows)
    {
        if (layer < plan.LayerCount - 1) activation.ApplyBatch(output, outWidth, n, table, rows);
        else if (network.OutputGain != 1f)
        {
            for (int i = 0; i < n * outWidth; i++) output[i] *= network.OutputGain;
        }
    }
}
