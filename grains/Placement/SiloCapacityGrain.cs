using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Telemetry;

namespace MemristorGrid.Grains.Placement;

/// <summary>How many lanes a silo runs at once: set per silo (<see cref="SiloCapacity"/>), by default
/// twice its cores — lanes beyond the cores only interleave and evict each other's working sets.</summary>
public sealed record SiloCapacity(int LaneSlots)
{
    public static SiloCapacity Default => new(2 * Environment.ProcessorCount);
}

[SiloPlacement]
public sealed class SiloCapacityGrain(SiloCapacity capacity, DeploymentCache deployments, JobBoard board) : Grain, ISiloCapacityGrain
{
    public async Task<int> EnlistForJobAsync(string deployment, string job)
    {
        board.Start(await deployments.AnyAsync(deployment, GrainFactory), job);
        return capacity.LaneSlots;
    }

    /// <summary>
    /// Each active silo's own lane slots, in the order lanes are dealt to the silos (<see cref="LanePlacementDirector"/>),
    /// asked of every silo as the job starts so that each silo's job counters exist from then on: Prometheus'
    /// <c>increase()</c> sees no rise in a series that first appears at its final value.
    /// </summary>
    public static async Task<int[]> LaneSlotsBySiloAsync(IGrainFactory grains, string deployment, string job)
    {
        var silos = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var slots = await Task.WhenAll(LanePlacementDirector.InLaneOrder(silos.Keys).Select(s => SlotsOfAsync(grains, s, deployment, job)));
        var live = slots.Where(n => n > 0).ToArray();
        return live.Length > 0 ? live : [1];
    }

    /// <summary>A silo's slots; none for a silo that died after the membership read (the call is rejected,
    /// or placement no longer offers it): that is churn, not a job failure.</summary>
    internal static async Task<int> SlotsOfAsync(IGrainFactory grains, SiloAddress silo, string deployment, string job)
    {
        try { return await grains.GetGrain<ISiloCapacityGrain>(silo.ToParsableString()).EnlistForJobAsync(deployment, job); }
        catch (OrleansMessageRejectionException) { return 0; } // SiloUnavailableException is one
    }
}
