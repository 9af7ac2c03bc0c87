using Microsoft.Extensions.DependencyInjection;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains;
using MemristorGrid.Hosting;
using Orleans.TestingHost;

namespace MemristorGrid.Cluster.Tests;

/// <summary>The chip placement survives churn: after a silo leaves, every chip is again whole on one silo.</summary>
public class ChipChurnTests
{
    [Fact]
    public async Task After_a_silo_leaves_every_chip_is_whole_on_the_silo_its_rule_names()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) => silo.AddMemristorGridGrains().AddMemoryGrainStorage(Storage.Name));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var grains = cluster.Client;
        var (_, bytes) = Repo.Model("gmm16.onnx");
        var profile = Repo.Profile("ideal");
        var spec = new DeploymentSpec(bytes, "gmm16.onnx", profile.ToJson(), 1);
        var deployment = grains.GetGrain<IDeploymentGrain>(spec.Id());
        await deployment.DefineAsync(spec);
        var before = await deployment.GetPlacementAsync();
        Assert.Equal(3, before.Select(p => p.Silo).Distinct().Count());

        // Stop the silo that is neither the deployment's nor the job's host (the grains the test talks to).
        var survivors = cluster.Silos.ToList();
        var leaving = survivors[1];
        await cluster.StopSiloAsync(leaving);
        survivors.Remove(leaving);
        var options = new AnalogRunOptions { Kind = SamplerKind.Sde, Substeps = 1, LaneSize = 2, ContinuousSegments = 3 };
        await ClusterJobRunner.RunAsync(grains, bytes, "gmm16.onnx", profile, options, 4, [], placement: TilePlacementMode.Chips);
        await ClusterJobRunner.RunAsync(grains, bytes, "gmm16.onnx", profile, options with { Seed = 2 }, 4, [], placement: TilePlacementMode.Chips);

        // A chip or tile that notices on a call that it belongs elsewhere answers that call where it is, then migrates: reading the
        // placement settles any that the runs left, so read until it holds.
        var silos = survivors.Select(s => s.SiloAddress).OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        string Misplaced(TilePlacement[] placement) => string.Join("; ", placement.GroupBy(p => p.Chip)
            .Where(chip => chip.Any(p => p.Silo != silos[chip.Key % silos.Length].ToString()))
            .Select(chip => $"chip {chip.Key} (home {silos[chip.Key % silos.Length]}): " + string.Join(", ", chip.Select(p => $"{p.TileId} on {p.Silo}"))));
        string misplaced = "";
        for (int read = 0; read < 20 && (misplaced = Misplaced(await deployment.GetPlacementAsync())).Length > 0; read++) await Task.Delay(250);
        string views = string.Join("; ", survivors.Select(s =>
        {
            var snap = ((InProcessSiloHandle)s).ServiceProvider.GetRequiredService<Orleans.Runtime.IClusterMembershipService>().CurrentSnapshot;
            return $"{s.SiloAddress} sees v{snap.Version}: " + string.Join(",", snap.Members.Values.Select(m => $"{m.SiloAddress}={m.Status}"));
        }));
        Assert.True(misplaced.Length == 0, misplaced + " | " + views);
    }
}
