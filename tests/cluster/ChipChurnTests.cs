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

        var after = await deployment.GetPlacementAsync();
        var silos = survivors.Select(s => s.SiloAddress).OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        foreach (var chip in after.GroupBy(p => p.Chip))
        {
            Assert.Single(chip.Select(p => p.Silo).Distinct());
            Assert.Equal(silos[chip.Key % silos.Length].ToString(), chip.First().Silo);
        }
    }
}
