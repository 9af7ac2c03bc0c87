using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Crossbars.WeightScaling;

/// <summary>
/// A mapping strategy: how many weight units each output column's conductance window stands for (the largest |w|
/// that maps onto the full window). A strategy is one class in this folder with a public static <c>Name</c> and a
/// constructor taking <see cref="MappingParameters"/>; the profile names it (<c>mapping.weight_scale</c>) and
/// <see cref="WeightScalings"/> finds it.
/// </summary>
public interface IWeightScaling
{
    /// <summary>Weight units per conductance window for every output column of <paramref name="layer"/> (never 0).</summary>
    float[] ColumnScales(DenseLayer layer);
}

/// <summary>The mapping strategies this build has, by the name profiles give them.</summary>
public static class WeightScalings
{
    private static readonly ModelRegistry<IWeightScaling, MappingParameters> Registry = new("mapping.weight_scale");

    public static IReadOnlyList<string> Names => Registry.Names;

    public static string? Unknown(string name) => Registry.Unknown(name);

    public static IWeightScaling For(MappingParameters mapping) => Registry.Create(mapping.WeightScale, mapping);

    /// <summary>The largest |w| (weights and bias) of each output column.</summary>
    internal static float[] ColumnMaxima(DenseLayer layer)
    {
        var max = new float[layer.Outputs];
        for (int o = 0; o < layer.Outputs; o++)
        {
            float m = MathF.Abs(layer.Bias[o]);
            for (int i = 0; i < layer.Inputs; i++) m = MathF.Max(m, MathF.Abs(layer.Weight(o, i)));
            max[o] = m;
        }
        return max;
    }
}
