using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Experiments;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Engine.Solvers;

namespace MemristorGrid.Engine.Tests;

/// <summary>The closed-loop simulator against independent references and its own invariants.</summary>
public class AnalogSimulatorTests
{
    private static string Model(string name) => TestNetworks.ModelPath(name);

    private static readonly Lazy<ScoreNetwork> Ring = new(() => OnnxImporter.Load(Model("ring.onnx")));

    [Fact]
    public void Ideal_profile_follows_the_digital_probability_flow_to_1e4()
    {
        var net = Ring.Value;
        const int n = 200;
        var options = new AnalogRunOptions { ScheduleScale = 2, RelativeTolerance = 1e-8, AbsoluteTolerance = 1e-9, LaneSize = 64, Seed = 3 };
        var analog = ReferenceSimulator.Run(net, HardwareProfile.Resolve("ideal"), options, n, []);

        // Independent reference: classical RK4 with 4000 fixed steps on the engine's own forward pass.
        var sde = net.Metadata.CreateSde().WithScheduleScale(2);
        var prior = new float[n * 2];
        Streams.Rng(3, StreamPurpose.SamplerPrior).FillGaussian(prior);
        var x = prior.Select(v => (double)v).ToArray();
        var model = new NetworkScoreModel(net);
        const int steps = 4000;
        double h = (1 - 1e-4) / steps;
        var xf = new float[x.Length];
        var t = new float[n];
        var score = new float[x.Length];
        double[] F(double[] state, double tau)
        {
            for (int i = 0; i < state.Length; i++) xf[i] = (float)state[i];
            Array.Fill(t, (float)tau);
            model.Evaluate(xf, t, [], score);
            var (f, g2) = sde.ReverseSdeCoefficients(tau);
            return state.Select((v, i) => -(f * v - 0.5 * g2 * score[i])).ToArray();
        }
        for (int k = 0; k < steps; k++)
        {
            double tau = 1 - k * h;
            var k1 = F(x, tau);
            var k2 = F(x.Select((v, i) => v + h / 2 * k1[i]).ToArray(), tau - h / 2);
            var k3 = F(x.Select((v, i) => v + h / 2 * k2[i]).ToArray(), tau - h / 2);
            var k4 = F(x.Select((v, i) => v + h * k3[i]).ToArray(), tau - h);
            for (int i = 0; i < x.Length; i++) x[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        }
        double maxError = x.Select((v, i) => Math.Abs(v - analog.Samples[i])).Max();
        Assert.True(maxError <= 1e-4, $"max |analog − digital| = {maxError:G3}");
    }

    [Fact]
    public void Ideal_profile_quality_matches_the_digital_baseline_within_sampling_error()
    {
        var net = Ring.Value;
        const int n = 3000;
        var reference = TaskSpec.Parse("ring").LoadReference(1, 10_000);
        var analog = ReferenceSimulator.Run(net, HardwareProfile.Resolve("ideal"), new AnalogRunOptions { ScheduleScale = 2, Seed = 1 }, n, []);
        double klAnalog = SampleMetrics.PaperKl(analog.Samples, reference.X);
        // The baseline's own spread over seeds sets the tolerance.
        var baseline = new[] { 1UL, 2UL, 3UL, 4UL }.Select(seed => SampleMetrics.PaperKl(
            DigitalSampler.Sample(new NetworkScoreModel(net), net.Metadata.CreateSde(), n, [], new SamplerOptions { Steps = 1000, ScheduleScale = 2, Seed = seed }).Samples,
            reference.X)).ToArray();
        double mean = baseline.Average(), sd = Math.Sqrt(baseline.Sum(v => (v - mean) * (v - mean)) / (baseline.Length - 1));
        Assert.True(Math.Abs(klAnalog - baseline[0]) <= 3 * sd + 1e-3, $"analog {klAnalog:F4}, baseline {baseline[0]:F4} (seed spread σ {sd:F4})");
    }

    [Fact]
    public void Hardware_aware_training_degrades_less_under_programming_noise()
    {
        var models = new[] { "ring.onnx", "ring-noiseless.onnx" }.Select(f => { var bytes = File.ReadAllBytes(Model(f)); return new SweepModel(f, bytes, OnnxImporter.FromBytes(bytes, f)); }).ToList();
        var reference = TaskSpec.Parse("ring").LoadReference(1, 10_000);
        var plan = SweepPlan.Expand(models, HardwareProfile.Resolve("ideal"), [SweepAxis.ProgrammingSigma([0.2])], chips: 5, new AnalogRunOptions(), 1500, _ => [], _ => "ring");
        var results = plan.Cells.ToDictionary(c => c.Id, c => { var run = new Engine.Runs.ReferenceMachine().RunAsync(c.Request(null).Job(), null, default).GetAwaiter().GetResult(); return CellMetrics.From(run, QualityReport.Compute(run.Samples, [], run.Dim, reference)); });
        var points = SweepSummary.Aggregate(plan, results, SweepMetric.KlPaper);
        var a = points.Single(p => p.Model.Name == "ring.onnx").Quality!;
        var p = points.Single(p => p.Model.Name == "ring-noiseless.onnx").Quality!;
        double margin = 3 * Math.Sqrt(a.StandardError * a.StandardError + p.StandardError * p.StandardError);
        Assert.True(p.Mean - a.Mean > margin, $"kl aware {a.Mean:F3} ± {a.StandardError:F3}, plain {p.Mean:F3} ± {p.StandardError:F3}");
    }

    /// <summary>Every sample is its own run of the loop: how samples are batched into lanes changes nothing
    /// a sample does — not its trajectory (adaptive steps are per sample), its energy or its step counts.</summary>
    [Theory]
    [InlineData("ring.onnx", "ideal", "ode", 0f)]      // continuous controller: adaptive steps across segments
    [InlineData("ring.onnx", "rram-180nm", "ode", 0f)]
    [InlineData("hku.onnx", "rram-180nm", "ode", 1f)]  // conditional, guided
    [InlineData("gmm16.onnx", "ideal", "ode", 0f)]    // 49 tiles on 4 chips
    [InlineData("ring.onnx", "mcu-demo", "sde", 0f)]
    [InlineData("hku.onnx", "ideal", "sde", 1f)]
    public void Samples_do_not_depend_on_the_lane_size(string model, string profileName, string sampler, float guidance)
    {
        var net = OnnxImporter.Load(Model(model));
        var profile = HardwareProfile.Resolve(profileName);
        int count = net.IsConditional ? 12 : 14;
        int[] labels = net.IsConditional ? Enumerable.Range(0, count).Select(i => i % net.ClassCount).ToArray() : [];
        var options = new AnalogRunOptions
        {
            Kind = sampler == "sde" ? SamplerKind.Sde : SamplerKind.Ode,
            ScheduleScale = net.Metadata.SamplingScheduleScale,
            GuidanceWeight = guidance,
            Seed = 9,
            ProgramSeed = 4,
            Substeps = 2,
            ContinuousSegments = 20,
        };
        var runs = new[] { 1, 7, 500 }.Select(size => ReferenceSimulator.Run(net, profile, options with { LaneSize = size }, count, labels)).ToList();
        foreach (var run in runs.Skip(1))
        {
            Assert.Equal(runs[0].Samples, run.Samples);
            Assert.Equal(runs[0].TotalEnergyJoules, run.TotalEnergyJoules, 1e-12 * runs[0].TotalEnergyJoules);
            Assert.Equal(runs[0].Tiles.Select(t => t.MvmCount), run.Tiles.Select(t => t.MvmCount));
            Assert.Equal(runs[0].Counters with { NetworkEvaluations = 0 }, run.Counters with { NetworkEvaluations = 0 });
        }
        if (sampler == "ode" && profileName == "ideal")
            Assert.True(runs[0].Counters.AcceptedSteps + runs[0].Counters.RejectedSteps > 5L * count, $"the case should take several adaptive steps per sample ({runs[0].Counters.AcceptedSteps} accepted, {runs[0].Counters.RejectedSteps} rejected)");
    }

    /// <summary>With a continuous controller the ODE's segments are only checkpoints: how many there are changes
    /// nothing a sample does, and the tolerance alone decides the work — fewer evaluations as it loosens,
    /// below the old floor of 7 per segment.</summary>
    [Fact]
    public void With_a_continuous_controller_the_tolerance_decides_the_ode_work_and_checkpoints_change_nothing()
    {
        var net = Ring.Value;
        var profile = HardwareProfile.Resolve("ideal");
        var options = new AnalogRunOptions { ScheduleScale = net.Metadata.SamplingScheduleScale, Seed = 3, LaneSize = 16 };
        var bySegments = new[] { 1, 7, 100 }.Select(k => ReferenceSimulator.Run(net, profile, options with { ContinuousSegments = k }, 32, [])).ToList();
        foreach (var run in bySegments.Skip(1))
        {
            Assert.Equal(bySegments[0].Samples, run.Samples);
            Assert.Equal(bySegments[0].Counters with { NetworkEvaluations = 0 }, run.Counters with { NetworkEvaluations = 0 });
            Assert.Equal(bySegments[0].TotalEnergyJoules, run.TotalEnergyJoules, 1e-12 * run.TotalEnergyJoules);
        }
        var perSample = new[] { 1e-6, 1e-4, 1e-2 }
            .Select(rtol => ReferenceSimulator.Run(net, profile, options with { RelativeTolerance = rtol, AbsoluteTolerance = rtol / 10 }, 32, []).Counters.SampleEvaluations / 32.0)
            .ToList();
        Assert.True(perSample[0] > perSample[1] && perSample[1] > perSample[2], $"evaluations per sample at rtol 1e-6, 1e-4, 1e-2: {string.Join(", ", perSample)}");
        Assert.True(perSample[2] < 7 * options.ContinuousSegments, $"{perSample[2]} evaluations per sample at rtol 1e-2");
    }

    /// <summary>Held controller: segments are physics instants. Continuous controller (ideal): segments are only
    /// checkpoints, the solver's steps and its carried derivative run across them.</summary>
    [Theory]
    [InlineData("rram-180nm")]
    [InlineData("ideal")]
    public async Task A_lane_resumed_from_a_checkpoint_ends_exactly_where_a_straight_run_ends(string profileName)
    {
        var net = Ring.Value;
        var options = new AnalogRunOptions { ScheduleScale = 2, Seed = 2 };
        var profile = TestProfiles.Designed(profileName, net, options);
        var plan = DeploymentPlan.Create(net, profile.Mapping);
        var tiles = new LocalChipTransport(net, plan, profile, ReferenceSimulator.Program(plan, net, profile, 1));
        var driver = new LaneDriver(net, profile, plan, options, LabelEncoder.Of(net));

        var straight = driver.CreateLane(100, 50, []);
        await driver.AdvanceAsync(straight, tiles, int.MaxValue);

        var first = driver.CreateLane(100, 50, []);
        await driver.AdvanceAsync(first, tiles, 13);
        var resumed = new LaneState
        {
            FirstSample = first.FirstSample,
            Count = first.Count,
            Labels = first.Labels,
            X = first.X.ToArray(),
            Segment = first.Segment,
            StepSizes = first.StepSizes.ToArray(),
            Times = first.Times.ToArray(),
            Slopes = first.Slopes.ToArray(),
            SlopePowers = first.SlopePowers.ToArray(),
            TileCellEnergyJoules = first.TileCellEnergyJoules.ToArray(),
            TileMvms = first.TileMvms.ToArray(),
            Counters = first.Counters,
        };
        while (!driver.IsDone(resumed)) await driver.AdvanceAsync(resumed, tiles, 7, new LaneWorkspace());

        Assert.Equal(driver.SegmentsAreCheckpoints, profileName == "ideal");
        Assert.Equal(straight.X, resumed.X);
        Assert.Equal(straight.TileCellEnergyJoules, resumed.TileCellEnergyJoules);
        Assert.Equal(straight.TileMvms, resumed.TileMvms);
        Assert.Equal(straight.Counters.NetworkEvaluations, resumed.Counters.NetworkEvaluations);
    }

    [Fact]
    public void Read_noise_and_programming_noise_change_samples_and_seeds_reproduce_them()
    {
        var net = Ring.Value;
        var options = new AnalogRunOptions { ScheduleScale = 2, Seed = 5, ProgramSeed = 6 };
        var profile = TestProfiles.Designed("rram-180nm", net, options);
        var a = ReferenceSimulator.Run(net, profile, options, 100, []);
        var b = ReferenceSimulator.Run(net, profile, options, 100, []);
        var otherRead = ReferenceSimulator.Run(net, profile, options with { Seed = 7 }, 100, []);
        var otherChip = ReferenceSimulator.Run(net, profile, options with { ProgramSeed = 8 }, 100, []);
        Assert.Equal(a.Samples, b.Samples);
        Assert.NotEqual(a.Samples, otherRead.Samples);
        Assert.NotEqual(a.Samples, otherChip.Samples);
        Assert.All(a.Tiles, t => Assert.True(t.CellEnergyJoules > 0 && t.EnergyJoules > t.CellEnergyJoules));
        Assert.True(a.TimePerSampleSeconds > profile.Integrator.TimeConstantSeconds * (1 - 1e-4));
    }

    [Fact]
    public void Chip_crossings_are_exact_with_ideal_converters_and_cost_link_energy_with_real_ones()
    {
        var net = TestNetworks.Inference(d: 16, h: 256, layers: 3);
        var ideal = HardwareProfile.Resolve("ideal");
        var options = new AnalogRunOptions { ScheduleScale = 2, ContinuousSegments = 4 };
        var oneChip = ReferenceSimulator.Run(net, ideal with { Mapping = ideal.Mapping with { TilesPerChip = 64 } }, options, 12, []);
        var fourChips = ReferenceSimulator.Run(net, ideal, options, 12, []);
        Assert.Equal(49, fourChips.Tiles.Count);
        Assert.Equal(4, fourChips.Tiles.Select(t => t.Chip).Distinct().Count());
        Assert.Empty(oneChip.Links);
        Assert.NotEmpty(fourChips.Links);
        Assert.Equal(oneChip.Samples, fourChips.Samples);

        var digitised = ReferenceSimulator.Run(net, ideal with { Adc = ideal.Adc with { Bits = 6, FullScaleVolts = 0.4 } }, options, 12, []);
        Assert.NotEqual(fourChips.Samples, digitised.Samples);
        Assert.True(digitised.Energy.Interconnect > 0);
        Assert.Contains(digitised.Tiles, t => t.AdcConversions > 0 && t.LinkEnergyJoules > 0);
    }
}
