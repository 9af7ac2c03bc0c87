using static MemristorGrid.Engine.Profiles.ProfileChecks;

namespace MemristorGrid.Engine.Profiles;

/// <summary>The links between chips that digitised signals travel over.</summary>
public sealed record InterconnectParameters
{
    public double EnergyPerBitJoules { get; init; }
    public double LatencyPerHopSeconds { get; init; }

    internal IEnumerable<string> Problems()
    {
        if (!NonNegative(EnergyPerBitJoules)) yield return "interconnect.energy_per_bit_joules must be ≥ 0";
        if (!NonNegative(LatencyPerHopSeconds)) yield return "interconnect.latency_per_hop_seconds must be ≥ 0";
    }
}
