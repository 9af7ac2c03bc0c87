using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Placement;
using Microsoft.Extensions.DependencyInjection;

namespace MemristorGrid.Grains;

public static class GrainRegistration
{
    /// <summary>What every silo needs whatever its clustering (also used by test clusters): chip, lane and
    /// silo placement, activity propagation, the per-silo deployment cache and the silo's lane slots.</summary>
    /// <param name="laneSlots">Lanes this silo runs at once; null = twice its cores.</param>
    public static ISiloBuilder AddMemristorGridGrains(this ISiloBuilder silo, int? laneSlots = null)
    {
        silo.AddPlacementDirector<ChipPlacement, ChipPlacementDirector>();
        silo.AddPlacementDirector<SiloPlacement, SiloPlacementDirector>();
        silo.AddPlacementDirector<LanePlacement, LanePlacementDirector>();
        silo.AddActivityPropagation();
        silo.Services.AddSingleton<DeploymentCache>();
        silo.Services.AddSingleton(laneSlots is { } n ? new SiloCapacity(n) : SiloCapacity.Default);
        silo.Services.AddSingleton<SiloLaneSlots>();
        return silo;
    }
}
