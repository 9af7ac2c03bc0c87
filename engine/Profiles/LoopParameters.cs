using static MemristorGrid.Engine.Profiles.ProfileChecks;

namespace MemristorGrid.Engine.Profiles;

/// <summary>
/// Whether the loop's timing is derived for each deployment instead of given (docs/hardware-model.md, "Timing from the
/// loop"). With <see cref="Derive"/>, the integrator's RC, the TIAs' settling, the activations' delay and the
/// controller's update period are outputs: the loop's measured gain and <see cref="DelayBudget"/> fix how much delay
/// one traversal may have at each RC, the fastest op-amp the node makes (<see cref="OpampMaxBandwidthHertz"/>) fixes the
/// shortest RC, and the RC with the least energy per sample above it is the one used (<c>Accounting.LoopDesigner</c>).
/// </summary>
public sealed record LoopParameters
{
    public bool Derive { get; init; }

    /// <summary>Set by the loop design on the profile it derives (with the RC, settling times and update period in place),
    /// never by a user: a derived profile travels to the silos as it is, and is not designed twice.</summary>
    public bool Designed { get; init; }

    /// <summary>The largest gain × delay (diffusion time) a traversal may cost at the loop's highest gain, in radians of phase.</summary>
    public double DelayBudget { get; init; } = 0.1;

    /// <summary>The highest gain–bandwidth an op-amp of this node reaches; sets the shortest loop delay, hence RC_min.</summary>
    public double? OpampMaxBandwidthHertz { get; init; }

    /// <summary>Controller updates per sample (zero-order-hold steps over the generation), kept whatever RC is derived:
    /// the hold error is set by updates per unit of diffusion time, not per second. 0 = a continuous controller.</summary>
    public int ControllerUpdates { get; init; } = 100;

    internal IEnumerable<string> Problems()
    {
        if (!(DelayBudget > 0 && DelayBudget < Math.PI / 2)) yield return "loop.delay_budget must be in (0, π/2): a delay costing π/2 of phase makes the loop unstable";
        if (OpampMaxBandwidthHertz is { } f && !Positive(f)) yield return "loop.opamp_max_bandwidth_hertz must be > 0";
        if (ControllerUpdates is < 0 or > 1_000_000) yield return $"loop.controller_updates must be 0 (continuous) … 1000000 (got {ControllerUpdates})";
        if (Derive && OpampMaxBandwidthHertz is null) yield return "loop.derive needs loop.opamp_max_bandwidth_hertz (the node's fastest op-amp sets the shortest RC)";
    }
}
