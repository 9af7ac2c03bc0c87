using MemristorGrid.GrainInterfaces;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace MemristorGrid.Grains.Placement;

/// <summary>Where a job's lanes go: to the silo the job names for it when it starts the lane (the one with a
/// free lane slot, <see cref="HintKey"/> in the request context), else lane k on the k-th silo (mod their
/// number) in address order.</summary>
[GenerateSerializer, Immutable, Alias("mg.LanePlacement")]
public sealed class LanePlacement : PlacementStrategy
{
    internal static readonly LanePlacement Instance = new();

    /// <summary>Request-context key of the silo (its parsable address) a lane should be activated on.</summary>
    public const string HintKey = "mg.lane-silo";
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
        var silos = context.GetCompatibleSilos(target).OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        if (silos.Length == 0) throw new OrleansException($"no silo can host {target.GrainIdentity}");
        if (target.RequestContextData is { } data && data.TryGetValue(LanePlacement.HintKey, out var hint) && hint is string named
            && Array.Find(silos, s => s.ToParsableString() == named) is { } hinted)
            return Task.FromResult(hinted);
        int lane = Math.Max(0, GrainKeys.LaneOf(target.GrainIdentity.Key.ToString()!));
        return Task.FromResult(silos[lane % silos.Length]);
    }
}
