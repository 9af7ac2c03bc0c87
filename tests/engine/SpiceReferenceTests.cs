using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Engine.Spice;

namespace MemristorGrid.Engine.Tests;

/// <summary>The simulator's closed loop against Debian's ngspice (installed by .ci/run) on the same programmed chips.</summary>
public class SpiceReferenceTests
{
    private static readonly Lazy<ScoreNetwork> Ring = new(() => OnnxImporter.Load(TestNetworks.ModelPath("ring.onnx")));

    /// <summary>rram-180nm without its read noise (a random draw per update, which no circuit reproduces), its loop designed
    /// for ring as a run designs it.</summary>
    private static HardwareProfile Profile()
    {
        var preset = HardwareProfile.Resolve("rram-180nm");
        return SpiceReference.Designed(Ring.Value, preset with { Device = preset.Device with { ReadNoiseSigma = 0 } }, Options);
    }

    /// <summary>rram-180nm without read noise, its loop timing given: RC 20 µs and TIAs settling in <paramref name="tiaSettlingSeconds"/>.</summary>
    private static HardwareProfile Given(double tiaSettlingSeconds)
    {
        var given = TestProfiles.Given180nm(tiaSettlingSeconds);
        return given with { Device = given.Device with { ReadNoiseSigma = 0 } };
    }

    private static AnalogRunOptions Options => new() { ScheduleScale = Ring.Value.Metadata.SamplingScheduleScale, Seed = 1 };

    [Fact]
    public void Ring_trajectories_and_array_power_match_ngspice_on_two_chips_and_three_start_points()
    {
        using var folder = new TempFolder();
        // The derived loop spends its whole delay budget: the TIAs and activations are as slow as the budget allows.
        var profile = Profile();
        Assert.True(profile.Loop.Designed);
        var comparison = SpiceReference.Compare(Ring.Value, profile, Options, [1, 2], [0, 1, 2], folder.Path);

        Assert.Equal(6, comparison.Runs.Count);
        foreach (var run in comparison.Runs)
        {
            Assert.True(File.Exists(Path.Combine(folder.Path, run.Netlist)), run.Netlist);
            // The loop did move: each start point travels well beyond the tolerance being checked.
            double travel = Enumerable.Range(0, run.Simulated.Length).Max(d => run.Simulated[d].Max() - run.Simulated[d].Min());
            Assert.True(travel > 0.1, $"{run.Netlist}: the trajectory barely moved ({travel} units)");
            Assert.True(run.RmsErrorOfFullScale < 0.01, $"{run.Netlist}: RMS error {run.RmsErrorOfFullScale:P3} of full scale");
            // The delay budget's promise: within half an LSB of the 8-bit readout.
            Assert.True(run.RmsErrorOfFullScale < 0.5 / 256, $"{run.Netlist}: RMS error {run.RmsErrorOfFullScale:P3} of full scale, over half an LSB");
            Assert.True(Math.Abs(run.PowerRatio - 1) < 0.10, $"{run.Netlist}: array power {run.SpiceArrayPowerWatts} W in ngspice, {run.SimulatedCellPowerWatts} W simulated");
        }
        // Two chips are two programmings: their trajectories from the same start differ by more than the error.
        var a = comparison.Runs.First(r => r.ProgramSeed == 1 && r.Sample == 0);
        var b = comparison.Runs.First(r => r.ProgramSeed == 2 && r.Sample == 0);
        Assert.Equal(a.Simulated[0][0], b.Simulated[0][0], 1e-2);
        double apart = Math.Sqrt(Enumerable.Range(0, a.Simulated.Length).Sum(d => Math.Pow(a.Simulated[d][^1] - b.Simulated[d][^1], 2)));
        Assert.True(apart > 3 * Math.Max(a.EndErrorUnits, b.EndErrorUnits), $"chips end {apart} units apart; errors {a.EndErrorUnits}, {b.EndErrorUnits}");
    }

    [Fact]
    public void Ngspice_sees_slow_TIAs_that_the_quasi_static_simulator_does_not()
    {
        // The simulator treats tiles as settled; with 30x slower TIAs its trajectory is the same, the circuit's is not.
        using var fast = new TempFolder();
        using var slow = new TempFolder();
        var quick = SpiceReference.Compare(Ring.Value, Given(20e-9), Options, [1], [0], fast.Path).Runs[0];
        var lagging = SpiceReference.Compare(Ring.Value, Given(600e-9), Options, [1], [0], slow.Path).Runs[0];
        Assert.Equal(quick.Simulated[1][^1], lagging.Simulated[1][^1], 12);
        Assert.True(lagging.RmsErrorOfFullScale > 3 * quick.RmsErrorOfFullScale,
            $"600 ns TIAs: {lagging.RmsErrorOfFullScale:P3}; 20 ns: {quick.RmsErrorOfFullScale:P3}");
    }

    [Fact]
    public void Netlists_refuse_what_they_cannot_represent()
    {
        var net = Ring.Value;
        var noisy = HardwareProfile.Resolve("rram-180nm");
        var e = Assert.Throws<UserInputException>(() => SpiceReference.Check(net, noisy, Options));
        Assert.Contains("read noise", e.Message);
        var spread = Profile() with { Mapping = Profile().Mapping with { TilesPerChip = 1 } };
        e = Assert.Throws<UserInputException>(() => SpiceReference.Check(net, spread, Options));
        Assert.Contains("3 chips", e.Message);
        e = Assert.Throws<UserInputException>(() => SpiceReference.Check(net, Profile(), Options with { Kind = Diffusion.SamplerKind.Sde }));
        Assert.Contains("sampler", e.Setting);
    }

    [Fact]
    public void The_deck_sums_every_row_feed_into_the_array_power()
    {
        using var folder = new TempFolder();
        var profile = Profile();
        var plan = Partitioning.DeploymentPlan.Create(Ring.Value, profile.Mapping);
        var driver = new LaneDriver(Ring.Value, profile, plan, Options, null);
        var blocks = plan.Tiles.Select(t => Crossbars.ConductanceMapping.Program(t, Ring.Value, profile, 1)).ToArray();
        var netlist = LoopNetlist.Create(driver, profile, blocks, [0.1, -0.2], 0, "test");
        // Two arrays per tile, one feed per row: (3 + 15 + 15) rows × 2.
        Assert.Equal(66, netlist.Feeds.Count);
        string deck = Ngspice.Deck(netlist, "t", 1e-8);
        Assert.Equal(66, deck.Split('\n').Count(l => l.StartsWith("let parray = parray + ", StringComparison.Ordinal)));
        // Every conducting device of both arrays is a resistor (relaxation leaves some "off" devices at exactly 0 S).
        int devices = blocks.Sum(b => b.GPlus.Count(g => g > 0) + b.GMinus.Count(g => g > 0));
        Assert.True(devices > plan.Tiles.Sum(t => t.RowCount * t.ColCount));
        Assert.Equal(devices, netlist.Text.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^rt\d+[pm]c\d+_\d+ ")));
        Assert.Contains(".ic v(x0)=0.01", netlist.Text);
    }
}

/// <summary>A temporary folder removed with everything in it.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("memgrid-spice-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
