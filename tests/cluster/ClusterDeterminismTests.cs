using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Hosting;

namespace MemristorGrid.Cluster.Tests;

/// <summary>The grain system on three silos returns exactly what the reference simulator returns.</summary>
public class ClusterDeterminismTests(ThreeSiloCluster fixture) : IClassFixture<ThreeSiloCluster>
{
    private IGrainFactory Grains => fixture.Cluster.Client;

    [Theory]
    [InlineData("ring.onnx", "rram-180nm", 300, "ode")]
    [InlineData("ring.onnx", "mcu-demo", 200, "sde")]
    [InlineData("hku.onnx", "rram-180nm", 40, "ode")]
    [InlineData("gmm16.onnx", "rram-180nm", 9, "ode")]
    public async Task Three_silos_reproduce_the_reference_bit_for_bit(string model, string profileName, int perLabel, string sampler)
    {
        var (net, bytes) = Repo.Model(model);
        var profile = Repo.Profile(profileName);
        int[] labels = net.IsConditional ? Enumerable.Range(0, net.ClassCount).SelectMany(c => Enumerable.Repeat(c, perLabel)).ToArray() : [];
        int count = labels.Length > 0 ? labels.Length : perLabel;
        var options = new AnalogRunOptions
        {
            Kind = sampler == "sde" ? SamplerKind.Sde : SamplerKind.Ode,
            ScheduleScale = net.Metadata.SamplingScheduleScale,
            GuidanceWeight = net.IsConditional ? 1 : 0,
            Seed = 4,
            ProgramSeed = 2,
            LaneSize = Math.Max(5, count / 3),
            Substeps = 2,
        };
        var reference = ReferenceSimulator.Run(net, profile, options, count, labels);
        var grains = await ClusterJobRunner.RunAsync(Grains, bytes, model, profile, options, count, labels);
        Assert.Equal(reference.Samples, grains.Samples);
        Assert.Equal(reference.Counters.NetworkEvaluations, grains.Counters.NetworkEvaluations);
        Assert.Equal(reference.TotalEnergyJoules, grains.TotalEnergyJoules, 1e-12 * reference.TotalEnergyJoules);
        Assert.Equal(reference.Tiles.Select(t => t.MvmCount), grains.Tiles.Select(t => t.MvmCount));
    }

    [Fact]
    public async Task Chips_are_spread_over_silos_and_a_chip_stays_on_one_silo()
    {
        var (net, bytes) = Repo.Model("gmm16.onnx");
        var profile = Repo.Profile("rram-180nm");
        var spec = new DeploymentSpec(bytes, "gmm16.onnx", profile.ToJson(), 1);
        var deployment = Grains.GetGrain<IDeploymentGrain>(spec.Id());
        await deployment.DefineAsync(spec);
        var placement = await deployment.GetPlacementAsync();
        Assert.Equal(49, placement.Length);
        var byChip = placement.GroupBy(p => p.Chip).ToList();
        Assert.Equal(4, byChip.Count);
        Assert.All(byChip, chip => Assert.Single(chip.Select(p => p.Silo).Distinct()));
        Assert.Equal(3, placement.Select(p => p.Silo).Distinct().Count());
    }

    [Fact]
    public async Task Deactivating_tiles_and_lanes_mid_run_changes_nothing()
    {
        var (net, bytes) = Repo.Model("ring.onnx");
        var profile = Repo.Profile("rram-180nm");
        var options = new AnalogRunOptions { ScheduleScale = 2, Seed = 7, LaneSize = 100 };
        var reference = ReferenceSimulator.Run(net, profile, options, 400, []);

        var run = ClusterJobRunner.RunAsync(Grains, bytes, "ring.onnx", profile, options, 400, [], windowSegments: 4);
        var management = Grains.GetGrain<IManagementGrain>(0);
        int collections = 0;
        while (!run.IsCompleted)
        {
            // Collects every activation idle at this instant: tiles between calls, lanes between windows.
            await management.ForceActivationCollection(TimeSpan.Zero);
            collections++;
            await Task.Delay(150);
        }
        var grains = await run;
        Assert.True(collections >= 2, $"the run ended after {collections} collections");
        Assert.Equal(reference.Samples, grains.Samples);
        Assert.Equal(reference.Counters.NetworkEvaluations, grains.Counters.NetworkEvaluations);
    }
}
