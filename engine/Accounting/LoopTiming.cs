using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using System.Globalization;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Accounting;

/// <summary>
/// The one timing rule physics imposes on the closed loop: the integrator must be slow against the
/// network it integrates. The simulator treats tiles and activations as settled (quasi-static), which is
/// only true while the loop's settling is a small fraction of RC.
/// </summary>
public static class LoopTiming
{
    /// <summary>The loop settling of <paramref name="plan"/> on <paramref name="profile"/> (slowest tile per layer, activations, chip hops).</summary>
    public static double LoopSettlingSeconds(DeploymentPlan plan, HardwareProfile profile) =>
        new EnergyModel(profile, generationSeconds: 0, passes: 1, controllerUpdates: 0, samples: 0).LoopDelay(plan);

    /// <summary>Settling time over the time constant of a single pole that settles to <see cref="OpampParameters.SettlingBits"/> in it: (bits + 1)·ln 2.</summary>
    public static double SettlingTimeConstants(HardwareProfile profile) => (profile.Opamp.SettlingBits + 1) * Math.Log(2);

    /// <summary>
    /// The loop's delay as its phase sees it. Nothing samples a TIA or activation output inside the loop: each is a
    /// single pole whose phase lag at the loop's frequencies is its time constant, the settling time over
    /// <see cref="SettlingTimeConstants"/>; conversions and hops are pure delays and count whole.
    /// </summary>
    public static double PhaseDelaySeconds(DeploymentPlan plan, HardwareProfile profile)
    {
        double constants = SettlingTimeConstants(profile);
        var poles = profile with
        {
            Tia = profile.Tia with { SettlingSeconds = profile.Tia.SettlingSeconds / constants },
            Activation = profile.Activation with { DelaySeconds = profile.Activation.DelaySeconds / constants },
        };
        return LoopSettlingSeconds(plan, poles);
    }

    /// <summary>Refuses a deployment whose RC is less than <see cref="HardwareProfile.MinTimeConstantOverLoopSettling"/> × its loop settling.</summary>
    public static void Require(DeploymentPlan plan, HardwareProfile profile)
    {
        // A derived loop meets its delay budget by construction (LoopDesigner); this rule of thumb is for a given timing.
        if (profile.Loop.Derive) return;
        double settling = LoopSettlingSeconds(plan, profile), rc = profile.Integrator.TimeConstantSeconds;
        if (rc < HardwareProfile.MinTimeConstantOverLoopSettling * settling)
            throw UserInputException.ForSetting("integrator.time_constant_seconds", string.Create(CultureInfo.InvariantCulture,
                $"({rc * 1e9:G4} ns) must be at least {HardwareProfile.MinTimeConstantOverLoopSettling}× this deployment's loop settling ({settling * 1e9:G4} ns over {plan.LayerCount} layers and {plan.ChipCount} chip(s)) on profile {profile.Name}: lengthen RC or speed up the TIAs, activations and links"));
    }

    public static void Require(ScoreNetwork network, HardwareProfile profile) => Require(DeploymentPlan.Create(network, profile.Mapping), profile);
}
