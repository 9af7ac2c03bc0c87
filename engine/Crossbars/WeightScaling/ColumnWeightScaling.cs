using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Crossbars.WeightScaling;

/// <summary>A scale per output column: each column's largest |w| maps onto the full window (per-column read-out gain, as
/// aihwkit's per-channel mapping); small columns use more of the window.</summary>
public sealed class ColumnWeightScaling : IWeightScaling
{
    /// <summary>The registry's constructor: this strategy reads no parameter.</summary>
    public ColumnWeightScaling(MappingParameters mapping) => ArgumentNullException.ThrowIfNull(mapping);

    public static string Name => "column";

    public float[] ColumnScales(DenseLayer layer)
    {
        var columns = WeightScalings.ColumnMaxima(layer);
        for (int o = 0; o < columns.Length; o++) if (!(columns[o] > 0)) columns[o] = 1f;
        return columns;
    }
}
