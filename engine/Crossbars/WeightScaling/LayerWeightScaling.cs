using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Crossbars.WeightScaling;

/// <summary>One scale for the whole layer: its largest |w| maps onto the full window (the paper's mapping).</summary>
public sealed class LayerWeightScaling : IWeightScaling
{
    /// <summary>The registry's constructor: this strategy reads no parameter.</summary>
    public LayerWeightScaling(MappingParameters mapping) => ArgumentNullException.ThrowIfNull(mapping);

    public static string Name => "layer";

    public float[] ColumnScales(DenseLayer layer)
    {
        var columns = WeightScalings.ColumnMaxima(layer);
        float layerMax = columns.Length == 0 ? 0 : columns.Max();
        Array.Fill(columns, layerMax > 0 ? layerMax : 1f);
        return columns;
    }
}
