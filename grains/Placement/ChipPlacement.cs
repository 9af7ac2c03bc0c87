using MemristorGrid.GrainInterfaces;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace MemristorGrid.Grains.Placement;

/// <summary>Places a chip grain, or a tile grain with its chip, by the chip named in its key: chips dealt round-robin over
/// the compatible silos in address order (adding silos spreads chips).</summary>
[GenerateSerializer, Immutable, Alias("mg.ChipPlacement")]
public sealed class ChipPlacement : PlacementStrategy
{
    internal static readonly ChipPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ChipPlacementAttribute : PlacementAttribute
{
    public ChipPlacementAttribute() : base(ChipPlacement.Instance) { }
}

public sealed class ChipPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        int chip = GrainKeys.TryParseChipOf(target.GrainIdentity.Key.ToString()!, out int c) ? c : 0;
        return Task.FromResult(SiloFor(chip, context.GetCompatibleSilos(target))
            ?? throw new OrleansException($"no silo can host {target.GrainIdentity}"));
    }

    /// <summary>The silo a chip belongs on among <paramref name="silos"/>: the rule placement and the chips
    /// themselves (after churn) both follow.</summary>
    public static SiloAddress? SiloFor(int chip, IEnumerable<SiloAddress> silos)
    {
        var ordered = silos.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        return ordered.Length == 0 ? null : ordered[chip % ordered.Length];
    }
}

/// <summary>Tells a placed chip (an MLP's or a general graph's) that the silos changed and its chip now belongs on another silo: it
/// then migrates when idle (Orleans' live migration: placement chooses the silo and the directory learns it — a deactivation left
/// callers' cached addresses pointing at the old silo, which re-created it there: measured, one tile in three runs never moved).
/// Checked once per membership version.</summary>
public sealed class ChipHome(IClusterMembershipService membership, ILocalSiloDetails silo)
{
    private MembershipVersion _checked = MembershipVersion.MinValue;

    public bool MovedAway(int chip)
    {
        var snapshot = membership.CurrentSnapshot;
        if (snapshot.Version == _checked) return false;
        _checked = snapshot.Version;
        var active = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress);
        return ChipPlacementDirector.SiloFor(chip, active) is { } home && !home.Equals(silo.SiloAddress);
    }
}
