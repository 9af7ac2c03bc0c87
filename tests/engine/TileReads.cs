using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Networks;

namespace MemristorGrid.Engine.Tests;

/// <summary>What the tests read off a programmed tile and its layer.</summary>
internal static class TileReads
{
    /// <summary>The tile read on every row's unit vector, [rows × cols]: with read noise off, its effective weights (plus any
    /// calibration offset trim on every row).</summary>
    public static float[] UnitVectors(CrossbarTile tile)
    {
        int rows = tile.Plan.RowCount;
        var unit = new float[rows * rows];
        for (int r = 0; r < rows; r++) unit[r * rows + r] = 1;
        var read = new float[rows * tile.Plan.ColCount];
        tile.Evaluate(unit, read, rows, new ReadContext(1, 0, 0, 0));
        return read;
    }

    /// <summary>The layer's weight from <paramref name="input"/> to <paramref name="output"/>; input = Inputs is the bias row.</summary>
    public static double Target(DenseLayer layer, int input, int output) => input == layer.Inputs ? layer.Bias[output] : layer.Weight(output, input);

    /// <summary>The layer's largest |w| over weights and biases (what the layer mapping scales to the window).</summary>
    public static double Scale(DenseLayer layer) =>
        Enumerable.Range(0, layer.Outputs).Max(o => Math.Max(Math.Abs(layer.Bias[o]), Enumerable.Range(0, layer.Inputs).Max(i => Math.Abs(layer.Weight(o, i)))));
}
