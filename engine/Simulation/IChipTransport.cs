using System.Runtime.InteropServices;
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
    /// <param name="output">[count × <see cref="ChipStep.OutputWidth"/>]: where the callee may write the outputs.</param>
    /// <param name="tilePower">[step tiles × count]: where the callee may write each tile's cell power per sample (W).</param>
    /// <returns>What the reads counted, and where the outputs and powers are: in <paramref name="output"/> and
    /// <paramref name="tilePower"/>, or in buffers of the transport's (a chip's answer, read where it
    /// arrived rather than copied), valid until <see cref="Release"/>.</returns>
    ValueTask<ChipStepResult> EvaluateAsync(ChipStep step, ReadOnlyMemory<float> input, int count, ReadContext read, StepEmbedding embedding,
        Memory<float> output, Memory<double> tilePower, CancellationToken cancel);

    /// <summary>Hands back the buffers of a result once its outputs and powers have been read.</summary>
    void Release(in ChipStepResult result);
}

/// <summary>A chip step's counts and where its numbers are: <see cref="InPlace"/> — in the caller's output and
/// power buffers — or in <see cref="Outputs"/> (float32) and <see cref="TilePower"/> (float64) bytes. A step that does not
/// complete its layer may instead leave each tile's outputs where that tile's answer arrived (<see cref="TileOutputs"/>,
/// float32 [count × the tile's columns] per tile of the step, in its order).</summary>
public readonly record struct ChipStepResult(TileEvaluation Evaluation, bool InPlace, ReadOnlyMemory<byte> Outputs = default, ReadOnlyMemory<byte> TilePower = default,
    ReadOnlyMemory<byte>[]? TileOutputs = null)
{
    public ReadOnlySpan<float> OutputsOr(Memory<float> own) => InPlace ? own.Span : MemoryMarshal.Cast<byte, float>(Outputs.Span);
    public ReadOnlySpan<double> TilePowerOr(Memory<double> own) => InPlace ? own.Span : MemoryMarshal.Cast<byte, double>(TilePower.Span);

    /// <summary>The outputs of the step's <paramref name="k"/>-th tile (<paramref name="length"/> values from
    /// <paramref name="offset"/> in the step's output when they are not kept per tile).</summary>
    public ReadOnlySpan<float> TileOutputsOr(Memory<float> own, int k, int offset, int length) =>
        TileOutputs is { } each ? MemoryMarshal.Cast<byte, float>(each[k].Span)[..length] : OutputsOr(own).Slice(offset, length);
}

/// <summary>The reference transport: tiles programmed in this process, steps computed directly.</summary>
public sealed class LocalChipTransport(ChipStepEvaluator chips) : IChipTransport
{
    public LocalChipTransport(ScoreNetwork network, DeploymentPlan plan, HardwareProfile profile, IReadOnlyList<CrossbarTile> tiles)
        : this(new ChipStepEvaluator(network, plan, profile, tiles)) { }

    public ValueTask<ChipStepResult> EvaluateAsync(ChipStep step, ReadOnlyMemory<float> input, int count, ReadContext read, StepEmbedding embedding,
        Memory<float> output, Memory<double> tilePower, CancellationToken cancel) =>
        new(new ChipStepResult(chips.Evaluate(step, input.Span, count, read, embedding.Table.Span, embedding.Rows.Span, output.Span, tilePower.Span), InPlace: true));

    public void Release(in ChipStepResult result) { }
}
