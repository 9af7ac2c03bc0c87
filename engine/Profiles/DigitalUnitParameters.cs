using static MemristorGrid.Engine.Profiles.ProfileChecks;

namespace MemristorGrid.Engine.Profiles;

/// <summary>
/// The digital unit beside the tiles that computes what no modelled circuit does in a general network
/// (normalisation, softmax, products of two signals), and the controller's arithmetic for a network's
/// time and label paths (a time MLP). Only general graphs (U-Nets) use it; the paper's MLP has none.
/// </summary>
public sealed record DigitalUnitParameters
{
    /// <summary>Arithmetic operations per second (one add or multiply each).</summary>
    public double OpsPerSecond { get; init; } = 1e8;

    /// <summary>Energy of one operation (an add or a multiply, averaged).</summary>
    public double EnergyPerOpJoules { get; init; } = 3.7e-11;

    /// <summary>Where the two figures come from.</summary>
    public string Source { get; init; } = DefaultSource;

    public const string DefaultSource =
        "energy: Horowitz, ISSCC 2014 (45 nm, 0.9 V, simulation: float32 add 0.9 pJ, multiply 3.7 pJ, mean 2.3 pJ) scaled to 0.18 µm, 1.8 V by C·V² with C ∝ feature size (× 16): assumption; rate: one operation per cycle at 100 MHz: assumption";

    internal IEnumerable<string> Problems()
    {
        if (!Positive(OpsPerSecond)) yield return "digital_unit.ops_per_second must be > 0";
        if (!NonNegative(EnergyPerOpJoules)) yield return "digital_unit.energy_per_op_joules must be ≥ 0";
    }
}
