using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace MemristorGrid.Grains.Placement;

/// <summary>Places a grain on the silo its key names (<c>SiloAddress.ToParsableString()</c>): one
/// activation per silo that answers for that silo. A silo that has left is unavailable, the same failure
/// as a call to it: membership read a moment earlier may still list a silo placement no longer offers.</summary>
[GenerateSerializer, Immutable, Alias("mg.SiloPlacement")]
public sealed class SiloPlacement : PlacementStrategy
{
    internal static readonly SiloPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloPlacementAttribute : PlacementAttribute
{
    public SiloPlacementAttribute() : base(SiloPlacement.Instance) { }
}

public sealed class SiloPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString()!;
        var silo = context.GetCompatibleSilos(target).FirstOrDefault(s => s.ToParsableString() == key)
            ?? throw new SiloUnavailableException($"silo {key} is not in the cluster");
        return Task.FromResult(silo);
    }
}
