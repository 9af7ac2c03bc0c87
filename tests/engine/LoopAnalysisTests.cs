using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Tests;

/// <summary>Timing from the loop: its delay and gain, RC_min, RC_opt and the integrator's thermal noise.</summary>
public class LoopAnalysisTests
{
    private static readonly Lazy<ScoreNetwork> Ring = new(() => OnnxImporter.Load(TestNetworks.ModelPath("ring.onnx")));
    private static readonly AnalogRunOptions Options = new() { ScheduleScale = 2, Seed = 1 };

    private static LoopReport Analyse(HardwareProfile profile) =>
        LoopAnalysis.Analyse(Ring.Value, profile, DeploymentPlan.Create(Ring.Value, profile.Mapping), Options, null);

    private static HardwareProfile WithTia(double seconds) => TestProfiles.Given180nm(seconds);

    [Fact]
    public void RC_min_follows_the_loop_delay_and_the_measured_gain()
    {
        var fast = Analyse(WithTia(20e-9));
        var slow = Analyse(WithTia(100e-9));
        // Three tile layers and two activation circuits: 3 × 20 ns + 2 × 10 ns, then 3 × 100 ns + 2 × 10 ns.
        Assert.Equal(80e-9, fast.LoopDelaySeconds, 1e-15);
        Assert.Equal(320e-9, slow.LoopDelaySeconds, 1e-15);
        // The gain is the network's and the schedule's, not the circuit's.
        Assert.Equal(fast.LoopGainMax, slow.LoopGainMax);
        Assert.InRange(fast.LoopGainMax, 1, 100);
        // The budget bounds the phase delay: each stage's pole time constant, its settling time over (8 + 1)·ln 2.
        double poles = 9 * Math.Log(2);
        Assert.Equal(80e-9 / poles, fast.PhaseDelaySeconds, 1e-18);
        Assert.Equal(fast.LoopGainMax * 80e-9 / poles / 0.1, fast.RcMinSeconds, 1e-18);
        Assert.Equal(4 * fast.RcMinSeconds, slow.RcMinSeconds, 1e-15);
        Assert.Equal(fast.LoopGainMax * 80e-9 / poles / 20e-6, fast.GainDelayProduct, 1e-12);
        // The gain is measured along the whole run, τ from 1 to the end.
        Assert.Equal(101, fast.Gain.Count);
        Assert.Equal(1.0, fast.Gain[0].Tau);
        Assert.Equal(Options.EndTime, fast.Gain[^1].Tau, 1e-12);
    }

    [Fact]
    public void The_lowest_energy_RC_is_at_or_above_RC_min_and_no_grid_point_beats_it()
    {
        var loop = Analyse(WithTia(20e-9));
        Assert.True(loop.RcOptSeconds >= loop.RcMinSeconds);
        Assert.True(loop.EnergyPerSampleAtRcOptJoules <= loop.EnergyPerSampleAtRcMinJoules);
        // At fixed op-amp bandwidths every static power but the integrators' is paid for RC·span: the minimum is RC_min.
        Assert.Equal(loop.RcMinSeconds, loop.RcOptSeconds);
    }

    [Fact]
    public void The_integrators_thermal_noise_is_kT_over_C_and_the_resistors_over_the_generation()
    {
        var loop = Analyse(TestProfiles.Given180nm());
        double kT = 1.380649e-23 * 300;
        Assert.Equal(Math.Sqrt(kT / 100e-12) / 0.1, loop.KtcNoiseUnits, 1e-12);
        Assert.Equal(Math.Sqrt(4 * kT * (1 - 1e-4) / 100e-12) / 0.1, loop.ResistorNoiseUnits, 1e-12);
    }
}
