using MemristorGrid.Engine.Digital;
using Xunit;

namespace MemristorGrid.Engine.Tests;

public class DigitalBaselineTests
{
    private static readonly DigitalPlatform Platform = DigitalPlatform.CpuCore(5);

    private static DigitalBaseline Round(float sample, double batchCpu, double latency, double probe) =>
        new DigitalBaseline(new SamplingResult([sample, sample], [], 2, 10, TimeSpan.Zero), batchCpu, "thread", latency, 2 * latency, 100,
            1e6, Platform, false, Platform.EnergyPerSample(latency, 1e6), Platform.EnergyPerSample(batchCpu, 1e6))
        {
            BatchCpuSecondsPerRound = [batchCpu], LatencySecondsPerRound = [latency], ProbeSecondsPerRound = [probe], Steps = 10,
        };

    [Fact]
    public void Rounds_combine_to_the_least_of_each_figure_and_keep_every_round()
    {
        // Round 2 fell in a busy spell (slower alone), round 3 slower batched: each figure takes its own least.
        var combined = DigitalBaseline.Least([Round(1, 0.10, 0.006, 0.21), Round(1, 0.11, 0.0095, 0.22), Round(1, 0.14, 0.0061, 0.21)]);
        Assert.Equal(0.10, combined.CpuSeconds);
        Assert.Equal(0.006, combined.LatencySeconds);
        Assert.Equal(0.012, combined.LatencyWallSeconds);
        Assert.Equal(300, combined.LatencySamples);
        Assert.Equal([0.10, 0.11, 0.14], combined.BatchCpuSecondsPerRound);
        Assert.Equal([0.006, 0.0095, 0.0061], combined.LatencySecondsPerRound);
        Assert.Equal([0.21, 0.22, 0.21], combined.ProbeSecondsPerRound);
        // Without a package energy counter the energy follows the combined time on the platform, batched per sample.
        Assert.Equal(5 * 0.006, combined.EnergyPerSampleJoules, 1e-15);
        Assert.Equal(5 * 0.10 / 1, combined.EnergyPerSampleBatchedJoules, 1e-15);
        Assert.Equal(10, combined.Steps);
    }

    [Fact]
    public void A_single_round_is_its_own_figure_and_no_rounds_are_refused()
    {
        var one = Round(3, 0.2, 0.01, 0.2);
        var combined = DigitalBaseline.Least([one]);
        Assert.Equal(one.CpuSeconds, combined.CpuSeconds);
        Assert.Equal(one.LatencySeconds, combined.LatencySeconds);
        Assert.Same(one.Batch, combined.Batch);
        Assert.Throws<ArgumentException>(() => DigitalBaseline.Least([]));
    }
}
