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

    /// <summary>Refuses a deployment whose RC is less than <see cref="HardwareProfile.MinTimeConstantOverLoopSettling"/> × its loop settling.</summary>
    public static void Require(DeploymentPlan plan, HardwareProfile profile)
    {
        double settling = LoopSettlingSeconds(plan, profile), rc = profile.Integrator.TimeConstantSeconds;
        if (rc < HardwareProfile.MinTimeConstantOverLoopSettling * settling)
            throw UserInputException.ForSetting("integrator.time_constant_seconds", string.Create(CultureInfo.InvariantCulture,
                $"({rc * 1e9:G4} ns) must be at least {HardwareProfile.MinTimeConstantOverLoopSettling}× this deployment's loop settling ({settling * 1e9:G4} ns over {plan.LayerCount} layers and {plan.ChipCount} chip(s)) on profile {profile.Name}: lengthen RC or speed up the TIAs, activations and links"));
    }

    public static void Require(ScoreNetwork network, HardwareProfile profile) => Require(DeploymentPlan.Create(network, profile.Mapping), profile);
}
