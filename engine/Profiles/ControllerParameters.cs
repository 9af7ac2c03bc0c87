using static MemristorGrid.Engine.Profiles.ProfileChecks;

namespace MemristorGrid.Engine.Profiles;

/// <summary>The digital controller that drives embeddings, coefficients and noise through DACs.</summary>
public sealed record ControllerParameters
{
    /// <summary>Zero-order-hold period of the embedding, coefficient and noise DACs; 0 = continuous.</summary>
    public double UpdatePeriodSeconds { get; init; }
    public int EmbeddingDacBits { get; init; }
    public double EmbeddingFullScaleVolts { get; init; } = 1.0;
    public int CoefficientDacBits { get; init; }
    public double DacEnergyPerUpdateJoules { get; init; }
    public double StaticPowerWatts { get; init; }

    /// <summary>Energy of one value read from the controller's look-up table (an embedding channel, a coefficient or a
    /// noise value per update): a chip-level controller is a small table the update counter walks through.</summary>
    public double LutReadEnergyJoules { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsHeld => UpdatePeriodSeconds > 0;

    internal IEnumerable<string> Problems()
    {
        if (!NonNegative(UpdatePeriodSeconds)) yield return "controller.update_period_seconds must be ≥ 0 (0 = continuous)";
        foreach (var p in Quantizer("controller.embedding_dac", EmbeddingDacBits, EmbeddingFullScaleVolts)) yield return p;
        if (CoefficientDacBits < 0 || CoefficientDacBits > 24) yield return "controller.coefficient_dac_bits must be 0 (ideal) … 24";
        if (!NonNegative(DacEnergyPerUpdateJoules)) yield return "controller.dac_energy_per_update_joules must be ≥ 0";
        if (!NonNegative(StaticPowerWatts)) yield return "controller.static_power_watts must be ≥ 0";
        if (!NonNegative(LutReadEnergyJoules)) yield return "controller.lut_read_energy_joules must be ≥ 0";
    }
}
