using MemristorGrid.GrainInterfaces;

namespace MemristorGrid.Grains.Placement;

/// <summary>How many lanes a silo runs at once: set per silo (<see cref="SiloCapacity"/>), by default
/// twice its cores — lanes beyond the cores only interleave and evict each other's working sets.</summary>
public sealed record SiloCapacity(int LaneSlots)
{
    public static SiloCapacity Default => new(2 * Environment.ProcessorCount);
}

[SiloPlacement]
public sealed class SiloCapacityGrain(SiloCapacity capacity) : Grain, ISiloCapacityGrain
{
    public Task<int> GetLaneSlotsAsync() => Task.FromResult(capacity.LaneSlots);

    /// <summary>The lanes the cluster runs at once: every active silo's own slots.</summary>
    public static async Task<int> ClusterLaneSlotsAsync(IGrainFactory grains)
    {
        var silos = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var slots = await Task.WhenAll(silos.Keys.Select(s => SlotsOfAsync(grains, s)));
        return Math.Max(1, slots.Sum());
    }

    // A silo that dies between the membership read and this call has no slots: it is not a job failure.
    private static async Task<int> SlotsOfAsync(IGrainFactory grains, SiloAddress silo)
    {
        try { return await grains.GetGrain<ISiloCapacityGrain>(silo.ToParsableString()).GetLaneSlotsAsync(); }
        catch (SiloUnavailableException) { return 0; }
    }
}
