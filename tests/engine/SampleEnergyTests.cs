using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Tests;

/// <summary>Each sample's cell energy, and the warning when some samples' energy runs away.</summary>
public class SampleEnergyTests
{
    [Fact]
    public void The_statistics_name_samples_beyond_a_hundred_times_the_median()
    {
        var energies = Enumerable.Range(0, 99).Select(i => 1e-10 * (1 + i / 99.0)).Append(5e-7).ToArray();
        var s = SampleEnergyStatistics.Of(energies)!;
        Assert.Equal(1e-10 * (1 + 49.5 / 99.0), s.MedianJoules, 1e-20);
        Assert.Equal(5e-7, s.MaxJoules);
        Assert.Equal(1, s.Runaways);
        Assert.Contains("1 of 100 samples drew more than 100×", s.Warning());
        Assert.Null(SampleEnergyStatistics.Of(energies.Take(99).ToArray())!.Warning());
        Assert.Null(SampleEnergyStatistics.Of([]));
    }

    /// <summary>2 → 2 → 2 → 2 with one frequency ω = 0 (its sin channel 0, its cos channel 1): the score is 5·2·ReLU(x₁ − 2) along x₁,
    /// zero elsewhere, so a sample that reaches x₁ > 2 is pushed further out, ever faster, and the rest stay where the drift takes them.</summary>
    private static ScoreNetwork Runaway()
    {
        var first = new DenseLayer(2, 2, [1, 0, 0, 0], [-2, -1]);   // h₀ = ReLU(x₁ − 2 + sin 0), h₁ = ReLU(−1 + cos 0) = 0
        var second = new DenseLayer(2, 2, [1, 0, 0, 0], [0, -1]);  // g₀ = h₀, g₁ = 0
        var output = new DenseLayer(2, 2, [2, 0, 0, 0], [0, 0]);   // s = 5·(2 g₀, 0)
        return new ScoreNetwork([first, second, output], [0f], null, null, 5f, new DiffusionMetadata { Task = "ring", SamplingScheduleScale = 2 });
    }

    [Fact]
    public void Samples_that_run_away_on_a_rail_less_machine_are_warned_about_and_the_others_are_not()
    {
        var options = new AnalogRunOptions { ScheduleScale = 2, Seed = 1 };
        var ideal = HardwareProfile.Resolve("ideal");
        var runaway = ReferenceSimulator.Run(Runaway(), ideal, options, 400, []).SampleCellEnergy!;
        Assert.Equal(400, runaway.Samples);
        Assert.InRange(runaway.Runaways, 1, 100);
        Assert.True(runaway.MaxJoules > 100 * runaway.MedianJoules);
        var calm = ReferenceSimulator.Run(TestNetworks.Inference(seed: 3), ideal, options, 400, []).SampleCellEnergy!;
        Assert.Equal(0, calm.Runaways);
        Assert.True(calm.MedianJoules > 0);
    }

    [Theory]
    [InlineData(Diffusion.SamplerKind.Ode)]
    [InlineData(Diffusion.SamplerKind.Sde)]
    public void The_samples_energies_are_their_share_of_the_tiles(Diffusion.SamplerKind kind)
    {
        // The median and largest bound the mean from both sides: all samples' energy is the tiles' cell energy.
        var net = TestNetworks.Inference(seed: 3);
        var profile = TestProfiles.Designed("rram-180nm", net, new AnalogRunOptions { Kind = kind, ScheduleScale = 2 });
        var result = ReferenceSimulator.Run(net, profile, new AnalogRunOptions { Kind = kind, ScheduleScale = 2, Seed = 2 }, 300, []);
        var s = result.SampleCellEnergy!;
        double mean = result.Tiles.Sum(t => t.CellEnergyJoules) / 300;
        Assert.InRange(mean, s.MedianJoules * 0.5, s.MaxJoules);
        Assert.Equal(300, s.Samples);
    }
}
