using static MemristorGrid.Engine.Profiles.ProfileChecks;

namespace MemristorGrid.Engine.Profiles;

/// <summary>
/// Ties the op-amps' static power to the speed they must have. With
/// <see cref="PowerPerBandwidthWattsPerHertz"/> set, each op-amp's power is that figure × the
/// gain–bandwidth its job needs: a TIA or activation op-amp settles single-pole to 2^−(bits+1) within
/// its settling time, GBW = (bits + 1)·ln 2 / (2π·t); an integrator's op-amp has
/// <see cref="IntegratorBandwidthRatio"/> × the integrator's own bandwidth 1/(2π·RC). So a faster
/// machine costs more power, and the groups' own <c>static_power_watts</c> must then be left out.
/// Null keeps the explicit powers (the demo board's discrete parts).
/// </summary>
public sealed record OpampParameters
{
    public double? PowerPerBandwidthWattsPerHertz { get; init; }

    /// <summary>Resolution the TIAs and activation op-amps settle to within their settling time.</summary>
    public int SettlingBits { get; init; } = 8;

    /// <summary>The integrator op-amp's GBW over the integrator's bandwidth 1/(2π·RC).</summary>
    public double IntegratorBandwidthRatio { get; init; } = 100;

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsBandwidthModel => PowerPerBandwidthWattsPerHertz is not null;

    /// <summary>The gain–bandwidth (Hz) that settles to <see cref="SettlingBits"/> within <paramref name="seconds"/>.</summary>
    public double SettlingBandwidthHertz(double seconds) => (SettlingBits + 1) * Math.Log(2) / (2 * Math.PI * seconds);

    public double IntegratorBandwidthHertz(double timeConstantSeconds) => IntegratorBandwidthRatio / (2 * Math.PI * timeConstantSeconds);

    internal IEnumerable<string> Problems()
    {
        if (PowerPerBandwidthWattsPerHertz is { } k && !Positive(k)) yield return "opamp.power_per_bandwidth_watts_per_hertz must be > 0, or null (explicit static powers)";
        if (SettlingBits is < 1 or > 24) yield return $"opamp.settling_bits must be 1 … 24 (got {SettlingBits})";
        if (!(IntegratorBandwidthRatio >= 1 && double.IsFinite(IntegratorBandwidthRatio))) yield return "opamp.integrator_bandwidth_ratio must be ≥ 1";
    }
}
