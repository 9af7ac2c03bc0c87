using MemristorGrid.Engine;
using MemristorGrid.Engine.Experiments;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Tests;

/// <summary>Sweeps: profile keys set by path, cells expanded and identified by content, the Pareto front.</summary>
public sealed class DesignSpaceTests
{
    private static SweepModel Ring() { var bytes = File.ReadAllBytes(TestNetworks.ModelPath("ring.onnx")); return new SweepModel("ring.onnx", bytes, OnnxImporter.FromBytes(bytes, "ring.onnx")); }

    [Fact]
    public void A_profile_key_is_set_by_its_path_and_checked_like_a_file()
    {
        var ideal = HardwareProfile.Resolve("rram-180nm");
        Assert.Equal(0.05, ideal.With("device.programming_noise.sigma", "0.05").Device.ProgrammingNoise.Sigma);
        Assert.Equal(32, ideal.With("mapping.tile_rows", "32").Mapping.TileRows);
        Assert.Null(ideal.With("device.levels", "null").Device.Levels);
        Assert.Equal("gaussian-proportional", ideal.With("device.programming_noise.model", "gaussian-proportional").Device.ProgrammingNoise.Model);
        var unknown = Assert.Throws<UserInputException>(() => ideal.With("device.programming_noise.sigmaa", "1"));
        Assert.Contains("unknown profile key 'device.programming_noise.sigmaa'", unknown.Message);
        Assert.Contains("keys under device.programming_noise: model, sigma", unknown.Message);
        Assert.Contains("unknown profile key 'mapping' (top-level keys: name, description, signal, device, mapping", Assert.Throws<UserInputException>(() => ideal.With("mapping", "1")).Message);
        Assert.Contains("device.programming_noise.sigma must be ≥ 0", Assert.Throws<UserInputException>(() => ideal.With("device.programming_noise.sigma", "-1")).Message);
        Assert.Contains("invalid value", Assert.Throws<UserInputException>(() => ideal.With("mapping.tile_rows", "3.5")).Message);
        Assert.Contains("mapping.tile_rows", ProfileOverrides.Keys(ideal));
    }

    [Fact]
    public void Cells_are_every_model_setting_and_chip_and_their_ids_name_what_the_result_depends_on()
    {
        var profile = HardwareProfile.Resolve("ideal");
        SweepAxis[] axes = [SweepAxis.Parse("device.read_noise_sigma=0,0.01"), SweepAxis.Parse("mapping.tile_rows=16,32,64")];
        var options = new AnalogRunOptions { Seed = 3 };
        var plan = SweepPlan.Expand([Ring()], profile.With("controller.update_period_seconds", "1e-7"), axes, 2, options, 100, _ => [], _ => "ring");
        Assert.Equal(2 * 3 * 2, plan.Cells.Count);
        Assert.Equal(plan.Cells.Count, plan.Cells.Select(c => c.Id).Distinct().Count());
        Assert.Equal(["0", "16"], plan.Cells[0].Settings);
        Assert.Equal(["0", "32"], plan.Cells[2].Settings);
        Assert.Equal([1UL, 2UL], plan.Cells.Take(2).Select(c => c.Options.ProgramSeed));
        Assert.Equal(0.01, plan.Cells[^1].Profile.Device.ReadNoiseSigma);
        Assert.Equal(64, plan.Cells[^1].Profile.Mapping.TileRows);

        // The same command, the same ids; a lane size or an extra axis value leaves existing cells alone.
        var again = SweepPlan.Expand([Ring()], profile.With("controller.update_period_seconds", "1e-7"), axes, 2, options with { LaneSize = 7 }, 100, _ => [], _ => "ring");
        Assert.Equal(plan.Id, again.Id);
        Assert.Equal(plan.Cells.Select(c => c.Id), again.Cells.Select(c => c.Id));
        var wider = SweepPlan.Expand([Ring()], profile.With("controller.update_period_seconds", "1e-7"), [axes[0], SweepAxis.Parse("mapping.tile_rows=16,32,64,128")], 2, options, 100, _ => [], _ => "ring");
        Assert.NotEqual(plan.Id, wider.Id);
        Assert.Subset(wider.Cells.Select(c => c.Id).ToHashSet(), plan.Cells.Select(c => c.Id).ToHashSet());
        // What changes a result changes the id: the seed, the samples, the reference.
        Assert.DoesNotContain(SweepPlan.Expand([Ring()], profile, [], 1, options with { Seed = 4 }, 100, _ => [], _ => "ring").Cells[0].Id,
            SweepPlan.Expand([Ring()], profile, [], 1, options, 100, _ => [], _ => "ring").Cells.Select(c => c.Id));
        Assert.NotEqual(SweepPlan.Expand([Ring()], profile, [], 1, options, 100, _ => [], _ => "ring").Cells[0].Id,
            SweepPlan.Expand([Ring()], profile, [], 1, options, 100, _ => [], _ => "csv:/x.csv").Cells[0].Id);
    }

    [Fact]
    public void Impossible_settings_are_refused_before_anything_runs()
    {
        var profile = HardwareProfile.Resolve("ideal");
        Assert.Contains("read_noise_sigma > 0 needs controller.update_period_seconds",
            Assert.Throws<UserInputException>(() => SweepPlan.Expand([Ring()], profile, [SweepAxis.Parse("device.read_noise_sigma=0,0.01")], 1, new AnalogRunOptions(), 10, _ => [], _ => "ring")).Message);
        Assert.Equal("set", Assert.Throws<UserInputException>(() => SweepAxis.Parse("device.levels")).Setting);
        Assert.Equal("set", Assert.Throws<UserInputException>(() => SweepAxis.Parse("device.levels=4,4")).Setting);
        Assert.Equal("guidance_weight", Assert.Throws<UserInputException>(() =>
            SweepPlan.Expand([Ring()], profile, [], 1, new AnalogRunOptions { GuidanceWeight = 1 }, 10, _ => [], _ => "ring")).Setting);
    }

    [Fact]
    public void The_pareto_front_keeps_exactly_the_points_nothing_beats_in_both()
    {
        var front = SweepSummary.ParetoFront([(1, 5), (2, 3), (3, 3), (4, 1), (5, 2), (1, 6), (0.5, double.NaN)]);
        Assert.Equal([true, true, false, true, false, false, false], front);
        Assert.Equal([true, true], SweepSummary.ParetoFront([(1, 1), (1, 1)]));
    }

    /// <summary>A difference the chips' spread cannot tell from noise decides nothing: two configurations 2 ppm apart in
    /// energy with overlapping error bars are both on the front (the old rule starred only the cheaper), while a clear
    /// gain in either still excludes the other.</summary>
    [Fact]
    public void The_pareto_front_does_not_rank_configurations_on_noise()
    {
        ParetoCandidate A(double cost, double loss, double lossError = 0.02, double costError = 0) => new(cost, costError, loss, lossError);
        Assert.Equal([true, true], SweepSummary.ParetoFront([A(2.250000e-6, 0.50), A(2.250005e-6, 0.49)]));
        Assert.Equal([true, true], SweepSummary.ParetoFront([A(2.250000e-6, 0.50), A(2.250005e-6, 0.50)]));
        // Quality 0.10 better with errors of 0.02: clear; the cheaper one (by 2 ppm) no longer excludes it, and it excludes the cheaper.
        Assert.Equal([false, true], SweepSummary.ParetoFront([A(2.250000e-6, 0.60), A(2.250005e-6, 0.50)]));
        // 10 % cheaper at equal quality: clear.
        Assert.Equal([true, false], SweepSummary.ParetoFront([A(2.0e-6, 0.5), A(2.2e-6, 0.5)]));
        // A cost difference inside the chips' energy spread is a tie too.
        Assert.Equal([true, true], SweepSummary.ParetoFront([A(2.0e-6, 0.5, costError: 0.1e-6), A(2.2e-6, 0.5, costError: 0.1e-6)]));
    }

    [Fact]
    public void Chip_statistics_are_the_mean_and_its_standard_error()
    {
        var s = ChipStatistics.Of([1.0, 2.0, 3.0, 6.0]);
        Assert.Equal(3.0, s.Mean, 12);
        Assert.Equal(Math.Sqrt(14.0 / 3 / 4), s.StandardError, 12);
        Assert.Equal(0, ChipStatistics.Of([2.0]).StandardError);
    }
}
