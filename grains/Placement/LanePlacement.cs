using MemristorGrid.GrainInterfaces;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace MemristorGrid.Grains.Placement;

/// <summary>Deals a job's lanes over the silos: lane k on the k-th silo (mod their number) in address
/// order, so every silo gets an equal share of the lanes and — with local tiles — of the work.</summary>
[GenerateSerializer, Immutable, Alias("mg.LanePlacement")]
public sealed class LanePlacement : PlacementStrategy
{
    internal static readonly LanePlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class LanePlacementAttribute : PlacementAttribute
{
    public LanePlacementAttribute() : base(LanePlacement.Instance) { }
}

public sealed class LanePlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = InLaneOrder(context.GetCompatibleSilos(target));
        if (silos.Length == 0) throw new OrleansException($"no silo can host {target.GrainIdentity}");
        int lane = Math.Max(0, GrainKeys.LaneOf(target.GrainIdentity.Key.ToString()!));
        return Task.FromResult(silos[lane % silos.Length]);
    }

    /// <summary>The silos in the order lanes are dealt to them (a job keeps a window of lanes per silo in it).</summary>
    public static SiloAddress[] InLaneOrder(IEnumerable<SiloAddress> silos) => silos.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
}
