using System.Net;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace MemristorGrid.Cluster.Tests;

/// <summary>Lane placement: the silo a job names for a lane (the one with a free slot) wins while it is in
/// the cluster; without a name, or once that silo is gone, lane k goes to the k-th silo in address order.</summary>
public class LanePlacementTests(ThreeSiloCluster fixture) : IClassFixture<ThreeSiloCluster>
{
    private static readonly SiloAddress[] Silos = [.. new[] { 11113, 11112, 11111 }.Select(port => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 1))];

    private sealed class Context(SiloAddress[] silos) : IPlacementContext
    {
        public SiloAddress[] GetCompatibleSilos(PlacementTarget target) => silos;
        public IReadOnlyDictionary<ushort, SiloAddress[]> GetCompatibleSilosWithVersions(PlacementTarget target) => new Dictionary<ushort, SiloAddress[]> { [0] = silos };
        public SiloAddress LocalSilo => silos[0];
        public SiloStatus LocalSiloStatus => SiloStatus.Active;
    }

    private static SiloAddress Place(int lane, string? hint, SiloAddress[] silos)
    {
        var context = hint is null ? null : new Dictionary<string, object> { [LanePlacement.HintKey] = hint };
        var target = new PlacementTarget(GrainId.Create("lane", GrainKeys.Lane("job-1", lane)), context!, default, 0);
        return new LanePlacementDirector().OnAddActivation(LanePlacement.Instance, target, new Context(silos)).Result;
    }

    [Fact]
    public void A_named_silo_is_chosen_and_otherwise_lanes_go_round_the_silos_in_address_order()
    {
        var ordered = Silos.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        Assert.Equal([ordered[0], ordered[1], ordered[2], ordered[0]], Enumerable.Range(0, 4).Select(k => Place(k, null, Silos)));
        Assert.Equal(ordered[2], Place(0, ordered[2].ToParsableString(), Silos));
        Assert.Equal(ordered[0], Place(1, ordered[0].ToParsableString(), Silos));
        // A named silo that has left the cluster: the fixed order among those that remain.
        Assert.Equal(ordered[1], Place(1, ordered[2].ToParsableString(), ordered[..2]));
    }

    /// <summary>On a real cluster: the name reaches placement through the request context of the call that activates the lane.</summary>
    [Fact]
    public async Task A_lane_activates_on_the_silo_named_in_the_request_context()
    {
        var grains = fixture.Cluster.Client;
        var silos = (await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Keys.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        string job = $"job-{Guid.NewGuid():N}";
        async Task<SiloAddress> ActivateAsync(int lane, SiloAddress? named)
        {
            if (named is not null) RequestContext.Set(LanePlacement.HintKey, named.ToParsableString());
            // A lane that has not run refuses its checkpoint, but the call has activated it.
            try { await Assert.ThrowsAsync<InvalidOperationException>(() => grains.GetGrain<IIntegratorChannelGrain>(GrainKeys.Lane(job, lane)).GetCheckpointAsync()); }
            finally { RequestContext.Remove(LanePlacement.HintKey); }
            var stats = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(hostsIds: silos);
            return stats.Single(s => s.GrainId.ToString().Contains(GrainKeys.Lane(job, lane), StringComparison.Ordinal)).SiloAddress;
        }
        Assert.Equal(silos[0], await ActivateAsync(0, null));
        Assert.Equal(silos[2], await ActivateAsync(3, silos[2]));
        Assert.Equal(silos[1], await ActivateAsync(6, silos[1]));
    }
}
