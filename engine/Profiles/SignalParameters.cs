using static MemristorGrid.Engine.Profiles.ProfileChecks;

namespace MemristorGrid.Engine.Profiles;

/// <summary>How network values become voltages.</summary>
public sealed record SignalParameters
{
    /// <summary>Volts that represent one network unit on every analog node.</summary>
    public double VoltsPerUnit { get; init; } = 0.1;

    internal IEnumerable<string> Problems()
    {
        if (!Positive(VoltsPerUnit)) yield return "signal.volts_per_unit must be > 0";
    }
}
