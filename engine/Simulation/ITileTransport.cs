using MemristorGrid.Engine.Crossbars;

namespace MemristorGrid.Engine.Simulation;

/// <summary>
/// How the lane driver reaches crossbar tiles: evaluate tile <c>tile</c> of the plan on a batch of input
/// voltages at a given read context. The reference simulator calls tile objects in-process; the actor
/// system sends the same request to tile grains. Both must return what <see cref="CrossbarTile.Evaluate"/>
/// returns for the same tile, inputs and context.
/// </summary>
public interface ITileTransport
{
    /// <param name="inputs">[count × tile rows]; the callee may overwrite it.</param>
    /// <param name="outputs">[count × tile cols], written by the callee.</param>
    /// <param name="cellPower">[count] each sample's cell power (W), written by the callee.</param>
    ValueTask<TileEvaluation> EvaluateAsync(int tile, Memory<float> inputs, Memory<float> outputs, Memory<double> cellPower, int count,
        ReadContext read, CancellationToken cancel);
}

/// <summary>The reference transport: tiles programmed in this process, called directly.</summary>
public sealed class LocalTileTransport(IReadOnlyList<CrossbarTile> tiles) : ITileTransport
{
    public ValueTask<TileEvaluation> EvaluateAsync(int tile, Memory<float> inputs, Memory<float> outputs, Memory<double> cellPower, int count,
        ReadContext read, CancellationToken cancel) =>
        new(tiles[tile].Evaluate(inputs.Span, outputs.Span, count, read, cellPower.Span));
}
