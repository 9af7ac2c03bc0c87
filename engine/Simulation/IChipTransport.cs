using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Simulation;

/// <summary>
/// How the lane driver reaches crossbar tiles: one call per <see cref="ChipStep"/> of a network pass,
/// carrying the lane's batch for every tile of that chip in the step. The reference simulator computes
/// the step in-process; the actor system sends it to the chip's grain. Both must return what
/// <see cref="ChipStepEvaluator.Evaluate"/> returns for the same step, inputs and context.
/// </summary>
public interface IChipTransport
{
    /// <param name="input">[count × the step's input width]: the activations entering its first layer.</param>
    /// <param name="embedding">Read when the step applies activations (<see cref="ChipStep.AppliesActivations"/>).</param>
    /// <param name="output">[count × <see cref="ChipStep.OutputWidth"/>], written by the callee.</param>
    /// <param name="tilePower">[step tiles × count]: each tile's cell power per sample (W), written by the callee.</param>
    ValueTask<TileEvaluation> EvaluateAsync(ChipStep step, ReadOnlyMemory<float> input, int count, ReadContext read, StepEmbedding embedding,
        Memory<float> output, Memory<double> tilePower, CancellationToken cancel);
}

/// <summary>The reference transport: tiles programmed in this process, steps computed directly.</summary>
public sealed class LocalChipTransport(ChipStepEvaluator chips) : IChipTransport
{
    public LocalChipTransport(ScoreNetwork network, DeploymentPlan plan, HardwareProfile profile, IReadOnlyList<CrossbarTile> tiles)
        : this(new ChipStepEvaluator(network, plan, profile, tiles)) { }

    public ValueTask<TileEvaluation> EvaluateAsync(ChipStep step, ReadOnlyMemory<float> input, int count, ReadContext read, StepEmbedding embedding,
        Memory<float> output, Memory<double> tilePower, CancellationToken cancel) =>
        new(chips.Evaluate(step, input.Span, count, read, embedding.Table.Span, embedding.Rows.Span, output.Span, tilePower.Span));
}
