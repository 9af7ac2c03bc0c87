using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Tests;

/// <summary>Every energy component with its band, basis and the evidence it rests on.</summary>
public class EnergyLinesTests
{
    private static readonly Lazy<ScoreNetwork> Ring = new(() => OnnxImporter.Load(TestNetworks.ModelPath("ring.onnx")));

    private static (IReadOnlyList<EnergyLine> Lines, AnalogRunResult Result) Run(HardwareProfile profile)
    {
        var options = new AnalogRunOptions { ScheduleScale = 2, Seed = 5, LaneSize = 50 };
        var plan = DeploymentPlan.Create(Ring.Value, profile.Mapping);
        var design = profile.Loop.Derive ? LoopDesigner.Design(Ring.Value, profile, plan, options) : null;
        profile = design?.Profile ?? profile;
        var result = ReferenceSimulator.Run(Ring.Value, profile, options, 50, []);
        return (EnergyLines.Of(profile, plan, options, result, design), result);
    }

    [Fact]
    public void Every_line_of_the_180nm_preset_has_a_band_and_every_parameter_a_source()
    {
        var profile = HardwareProfile.Resolve("rram-180nm");
        var (lines, result) = Run(profile);
        Assert.Equal(HardwareProfile.EnergyComponents, lines.Select(l => l.Component));
        foreach (var line in lines)
        {
            Assert.InRange(line.JoulesPerSample, line.LowJoulesPerSample, line.HighJoulesPerSample);
            Assert.NotEmpty(line.Parameters);
            foreach (var p in line.Parameters)
            {
                Assert.True(p.Low is not null && p.High is not null, $"{line.Component}: {p.Key} has no band");
                Assert.False(string.IsNullOrWhiteSpace(p.Source), $"{p.Key} has no source");
            }
        }
        Assert.Equal(result.EnergyPerSampleJoules, lines.Sum(l => l.JoulesPerSample), 1e-12 * result.EnergyPerSampleJoules);
    }

    [Fact]
    public void A_band_is_the_product_of_each_parameters_own_swing()
    {
        var profile = HardwareProfile.Resolve("rram-180nm");
        var (lines, _) = Run(profile);
        // Readout: one conversion per channel, linear in the ADC's energy: 9.8 pJ … 312.5 pJ.
        var readout = lines.Single(l => l.Component == "readout_adc");
        Assert.Equal(readout.JoulesPerSample * 312.5 / 9.8, readout.HighJoulesPerSample, 1e-9 * readout.HighJoulesPerSample);
        Assert.Equal(readout.JoulesPerSample, readout.LowJoulesPerSample, 1e-12 * readout.JoulesPerSample);
        Assert.Equal("silicon", readout.Basis);
        // TIAs: power = k · GBW and the derived GBW ∝ λ/(budget·RC), paid for RC: energy ∝ k / budget, nearly flat in the
        // node's speed (the RC used is where the delay is first shared freely, to 0.1 % of the least energy). High: the budget halved (2×); low: k 2.44 of
        // 23.8 µW/MHz and the budget doubled.
        var tia = lines.Single(l => l.Component == "tia");
        // (The budget halved doubles RC at the same settling times: the generation doubles, the first settling does not.)
        Assert.InRange(tia.HighJoulesPerSample / tia.JoulesPerSample, 1.9, 2.0);
        // (The budget doubled halves the generation, not the first settling: a little over half.)
        Assert.InRange(tia.LowJoulesPerSample / (tia.JoulesPerSample * (2.44e-12 / 2.38e-11) / 2), 1.0, 1.1);
        Assert.Equal("derived", tia.Basis); // the weakest of simulation (k), derived (budget) and silicon (the node)
        // The controller: the table's leakage and reads, both CACTI model figures.
        Assert.Equal("derived", lines.Single(l => l.Component == "controller").Basis);
    }

    [Fact]
    public void A_profile_without_figures_rests_on_assumptions_and_has_no_band()
    {
        var bare = HardwareProfile.Resolve("rram-180nm") with { EnergyFigures = new() };
        var (lines, _) = Run(bare);
        Assert.All(lines, l =>
        {
            Assert.Equal("assumption", l.Basis);
            Assert.Equal(l.JoulesPerSample, l.LowJoulesPerSample);
            Assert.Equal(l.JoulesPerSample, l.HighJoulesPerSample);
        });
    }

    [Fact]
    public void Figures_are_refused_when_they_do_not_fit_the_profile()
    {
        string preset = HardwareProfile.PresetText("rram-180nm");
        // A band that does not hold the value.
        string shifted = preset.Replace("\"adc.energy_per_conversion_joules\": { \"low\": 9.8e-12", "\"adc.energy_per_conversion_joules\": { \"low\": 20e-12", StringComparison.Ordinal);
        Assert.NotEqual(preset, shifted);
        var e = Assert.Throws<UserInputException>(() => HardwareProfile.Parse(shifted, "test"));
        Assert.Contains("energy_figures.adc.energy_per_conversion_joules: the band [2E-11, 3.125E-10] must be finite and hold the profile's value 9.8E-12", e.Message);
        // A key the energy does not depend on.
        string unknown = preset.Replace("\"adc.sample_rate_hz\": {", "\"adc.bits\": {", StringComparison.Ordinal);
        e = Assert.Throws<UserInputException>(() => HardwareProfile.Parse(unknown, "test"));
        Assert.Contains("energy_figures.adc.bits: no energy parameter of that name", e.Message);
    }

    [Fact]
    public void A_band_end_the_profile_cannot_carry_is_left_out_and_said_so()
    {
        // RC = 10 µs: the 600 ns TIA settling at the band's slow end would break the 10× loop rule.
        var preset = TestProfiles.Given180nm();
        var fast = preset with { Integrator = preset.Integrator with { TimeConstantSeconds = 10e-6 }, Controller = preset.Controller with { UpdatePeriodSeconds = 100e-9 } };
        var (lines, _) = Run(fast);
        var tia = lines.Single(l => l.Component == "tia");
        var settling = tia.Parameters.Single(p => p.Key == "tia.settling_seconds");
        Assert.Contains("the band's end 6E-07 is outside what this profile allows", settling.Note);
        // Only the op-amp figure's low end lowers it then; the 10 ns end doubles the power, and the TIAs are biased through
        // the loop's first settling (3 TIAs and 2 activations: 80 ns, 50 ns at the 10 ns end) and the generation.
        Assert.Equal(tia.JoulesPerSample * 2.44e-12 / 2.38e-11, tia.LowJoulesPerSample, 1e-9 * tia.JoulesPerSample);
        double generation = 10e-6 * (1 - 1e-4);
        Assert.Equal(tia.JoulesPerSample * 2 * (generation + 50e-9) / (generation + 80e-9), tia.HighJoulesPerSample, 1e-9 * tia.JoulesPerSample);
    }
}
