using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Runs;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Tests;

/// <summary>The loop's timing derived from its gain, the delay budget and the node's fastest op-amp (loop.derive).</summary>
public class LoopDesignTests
{
    private static readonly Lazy<ScoreNetwork> Ring = new(() => OnnxImporter.Load(TestNetworks.ModelPath("ring.onnx")));
    private static readonly AnalogRunOptions Options = new() { ScheduleScale = 2, Seed = 1 };
    private static readonly HardwareProfile Derived = HardwareProfile.Resolve("rram-180nm");

    private static LoopDesign Design(HardwareProfile profile) =>
        LoopDesigner.Design(Ring.Value, profile, DeploymentPlan.Create(Ring.Value, profile.Mapping), Options);

    private static HardwareProfile With(string key, double value) => Derived.With(key, value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void RC_min_is_the_gain_times_the_node_limited_delay_over_the_budget()
    {
        var d = Design(Derived);
        double settle = 9 * Math.Log(2) / (2 * Math.PI), f = Derived.Loop.OpampMaxBandwidthHertz!.Value;
        // ring: three tile layers (a TIA each) and two activation circuits in series, one chip: no fixed delays.
        // Phase delay: each stage's pole time constant, 1/(2π·GBW/noise gain) at the node's fastest op-amp.
        double node = (3 * d.TiaNoiseGain + 2) / (2 * Math.PI * f);
        Assert.Equal(node, d.NodeLimitDelaySeconds, 1e-15);
        Assert.Equal(d.GainMax * node / 0.1, d.RcMinSeconds, 1e-12);
        Assert.InRange(d.GainMax, 1, 100);
        Assert.True(d.RcSeconds >= d.RcMinSeconds);
        // The stages fill the budget at the RC used, and no stage is faster than the node allows.
        Assert.Equal(0.1 * d.RcSeconds / d.GainMax, (3 * d.TiaSettlingSeconds + 2 * d.ActivationDelaySeconds) / (9 * Math.Log(2)), 1e-15);
        Assert.True(d.TiaSettlingSeconds >= settle * d.TiaNoiseGain / f * (1 - 1e-12));
        Assert.True(d.ActivationDelaySeconds >= settle / f * (1 - 1e-12));
        // 100 controller updates per sample whatever the RC.
        Assert.Equal(d.RcSeconds * (1 - 1e-4) / 100, d.UpdatePeriodSeconds, 1e-15);
    }

    [Fact]
    public void The_TIAs_noise_gain_counts_every_device_on_the_busiest_bit_line()
    {
        var plan = DeploymentPlan.Create(Ring.Value, Derived.Mapping);
        double ng = LoopDesigner.TiaNoiseGain(Ring.Value, Derived, plan);
        // Every row of the busiest column holds at least G_min (1 µS) over a window of 39 µS, at R_f = s/ΔG ≥ the largest
        // |w| of the column over the window: 15 rows (14 inputs and the bias) give at least 1 + 15/39.
        Assert.True(ng > 1 + 15.0 / 39, $"noise gain {ng}");
        Assert.True(ng < 1 + 15 * 40.0 / 39, $"noise gain {ng}");
        // A wider window for the same weights lowers it: the G_min floor is a smaller share.
        var wide = Derived with { Device = Derived.Device with { GMaxMicrosiemens = 400 } };
        Assert.True(LoopDesigner.TiaNoiseGain(Ring.Value, wide, plan) < ng);
    }

    [Fact]
    public void A_faster_node_shortens_the_sample_but_not_the_op_amps_energy_once_the_delay_is_shared_freely()
    {
        var slow = Design(Derived);
        var fast = Design(With("loop.opamp_max_bandwidth_hertz", 2 * Derived.Loop.OpampMaxBandwidthHertz!.Value));
        Assert.Equal(slow.RcMinSeconds / 2, fast.RcMinSeconds, 1e-12);
        // The shortest RC within 0.1 % of the least energy: where the delay is first shared freely, which scales with RC_min.
        Assert.InRange(fast.RcSeconds / slow.RcSeconds, 0.5 / 1.02, 0.5 * 1.02);
        // Power ∝ bandwidth ∝ 1/settling and settling ∝ RC: the op-amps' energy per sample hardly moves with RC.
        double OpAmps(LoopDesign d) => (d.Profile.TiaPowerWatts * 30 + d.Profile.ActivationPowerWatts * 28) * d.RcSeconds;
        Assert.InRange(OpAmps(fast) / OpAmps(slow), 0.98, 1.02);
    }

    [Fact]
    public void The_RC_used_has_the_least_energy_on_a_grid_above_RC_min()
    {
        var d = Design(Derived);
        var plan = DeploymentPlan.Create(Ring.Value, Derived.Mapping);
        var relaxed = LoopDesigner.Apply(Derived, plan, Options, 2, d.Gain, d.TiaNoiseGain);
        Assert.Equal(d.RcSeconds, relaxed.RcSeconds);
        // At RC_min every op-amp is at the node's limit, which costs more than sharing the delay: the optimum lies above it.
        Assert.True(d.EnergyAtRcJoules < d.EnergyAtRcMinJoules);
        Assert.True(d.RcSeconds > d.RcMinSeconds);
        Assert.Contains("derived", d.Reason);
    }

    [Fact]
    public void A_runs_RC_and_so_its_time_per_sample_follow_the_budget_and_the_node()
    {
        double Rc(HardwareProfile p)
        {
            var spec = new RunSpec { Network = Ring.Value, ModelPath = TestNetworks.ModelPath("ring.onnx"), Profile = ProfileFile(p), ModelBytes = [], SamplesPerLabel = 8, Options = Options };
            var request = RunRequest.Create(spec, _ => { });
            Assert.NotNull(request.LoopDesign);
            return request.Profile.Integrator.TimeConstantSeconds;
        }
        double baseline = Rc(Derived);
        Assert.InRange(Rc(With("loop.delay_budget", 0.05)) / baseline, 2 / 1.02, 2 * 1.02);
        Assert.InRange(Rc(With("loop.opamp_max_bandwidth_hertz", 2 * Derived.Loop.OpampMaxBandwidthHertz!.Value)) / baseline, 0.5 / 1.02, 0.5 * 1.02);
    }

    [Theory]
    [InlineData("integrator.time_constant_seconds", 20e-6)]
    [InlineData("tia.settling_seconds", 20e-9)]
    [InlineData("controller.update_period_seconds", 200e-9)]
    public void A_derived_value_given_as_well_is_refused_by_name(string key, double value)
    {
        var e = Assert.Throws<UserInputException>(() => Design(With(key, value)));
        Assert.Contains(key, e.Message);
        Assert.Contains("loop.derive", e.Message);
    }

    private static string ProfileFile(HardwareProfile p)
    {
        string path = Path.Combine(Path.GetTempPath(), $"loop-design-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, p.ToJson());
        return path;
    }
}
