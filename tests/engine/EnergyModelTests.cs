using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Engine.Solvers;

namespace MemristorGrid.Engine.Tests;

/// <summary>
/// The energy and latency model, term by term, against values computed by hand from round profile
/// numbers; the cell term through the solvers' bookkeeping; and the controller's DACs.
/// </summary>
public class EnergyModelTests
{
    /// <summary>Round numbers, so every expected value below is a line of mental arithmetic.</summary>
    private static readonly HardwareProfile Round = HardwareProfile.Resolve("ideal") with
    {
        Adc = new AdcParameters { Bits = 8, FullScaleVolts = 1, EnergyPerConversionJoules = 1.5e-12, ConversionSeconds = 50e-9, SampleRateHz = 5e6 },
        Dac = new DacParameters { Bits = 8, FullScaleVolts = 0.4, EnergyPerConversionJoules = 1e-12 },
        Tia = new TiaParameters { StaticPowerWatts = 2e-3, SettlingSeconds = 20e-9 },
        Activation = new ActivationParameters { StaticPowerWatts = 2e-3, DelaySeconds = 10e-9 },
        Controller = new ControllerParameters { DacEnergyPerUpdateJoules = 1e-13, StaticPowerWatts = 10e-3 },
        Integrator = new IntegratorParameters { StaticPowerWatts = 2e-3, TimeConstantSeconds = 2e-5 },
        Interconnect = new InterconnectParameters { EnergyPerBitJoules = 1e-12, LatencyPerHopSeconds = 100e-9 },
        Opamp = new OpampParameters(), // explicit static powers above
        EnergyFigures = new(), // ideal's bands are around its own values, not these
    };

    /// <summary>10 samples of 20 µs, guided (2 passes), 100 controller updates each.</summary>
    private static readonly EnergyModel Model = new(Round, generationSeconds: 2e-5, passes: 2, controllerUpdates: 100, samples: 10);

    /// <summary>A 4-row × 3-column tile on chip 0: rows 0–1 arrive from chip 1 (ADC → link → DAC), and its
    /// partial sums go to home chip 1 (digitised).</summary>
    private static readonly TilePlan CrossingTile = new(0, 1, 1, 0, 0, 4, 0, 3, Chip: 0, HomeChip: 1, BiasRow: -1,
        DigitisedRows: [true, true, false, false], RowSourceChips: [1, 1, 0, 0], DigitisedOutputs: true);

    private static void Near(double expected, double actual) => Assert.Equal(expected, actual, 1e-12 * Math.Abs(expected));

    [Fact]
    public void Converters_and_links_count_every_digitised_signal_at_the_adc_rate()
    {
        // 20 µs × 5 MHz × 2 passes = 200 conversions per signal per sample; 200 × 8 bits × 10 samples = 16 000 bits per signal.
        Near(200, Model.ConversionsPerSignal);
        Near(16_000, Model.LinkBitsPerSignal);
        Near((2 + 3) * 200 * 10, Model.TileAdcConversions(CrossingTile)); // 2 linked rows + 3 digitised outputs
        Near(2 * 200 * 10, Model.TileDacConversions(CrossingTile));
        Near(10_000 * 1.5e-12 + 4_000 * 1e-12, Model.TileConverters(CrossingTile)); // 19 nJ
        Near(5 * 16_000 * 1e-12, Model.TileLink(CrossingTile)); // 80 nJ
        Near(3 * (16_000 * 1e-12 + 200 * 10 * 1.5e-12), Model.LinkEnergy(3)); // a 3-signal link: bits + sending ADCs
        Near(2 * (200 * 10 * 1.5e-12 + 16_000 * 1e-12), Model.IntegratorLinks(2));
        Near(2 * 1.5e-12 * 10, Model.ReadoutAdc(2)); // one conversion per output per sample
    }

    [Fact]
    public void Static_circuits_cost_power_times_the_time_they_are_biased()
    {
        // 3 TIAs × 2 mW × (20 µs + 1 µs of first settling) × 2 passes × 10 samples.
        Near(3 * 2e-3 * 2.1e-5 * 2 * 10, Model.Tia(CrossingTile, firstSettlingSeconds: 1e-6));
        Near(2 * 14 * 2e-3 * 2.1e-5 * 2 * 10, Model.ActivationCircuits(hiddenLayers: 2, width: 14, firstSettlingSeconds: 1e-6));
        Near(2 * 2e-3 * 2e-5 * 10, Model.Integrators(dim: 2)); // integrators are one per channel, not per pass
        Near(10e-3 * 2e-5 * 10, Model.Controller(width: 14, dim: 2, Diffusion.SamplerKind.Ode));
    }

    [Fact]
    public void The_controller_reads_its_table_once_per_value_per_update()
    {
        var lut = Round with { Controller = Round.Controller with { StaticPowerWatts = 0, LutReadEnergyJoules = 1e-12 } };
        var model = new EnergyModel(lut, generationSeconds: 2e-5, passes: 2, controllerUpdates: 100, samples: 10);
        // 100 updates × (14 embedding channels × 2 passes + 2 coefficients) reads × 1 pJ × 10 samples = 30 nJ; the SDE adds 2 noise values.
        Near(100 * (14 * 2 + 2) * 1e-12 * 10, model.Controller(width: 14, dim: 2, Diffusion.SamplerKind.Ode));
        Near(100 * (14 * 2 + 2 + 2) * 1e-12 * 10, model.Controller(width: 14, dim: 2, Diffusion.SamplerKind.Sde));
    }

    /// <summary>Round op-amp numbers: 1 µW per MHz, 8-bit settling, integrator op-amp at 100× the integrator's bandwidth.</summary>
    private static HardwareProfile Bandwidth(double rc) => Round with
    {
        Tia = Round.Tia with { StaticPowerWatts = 0 },
        Activation = Round.Activation with { StaticPowerWatts = 0 },
        Integrator = Round.Integrator with { StaticPowerWatts = 0, TimeConstantSeconds = rc, ResetSeconds = 1e-6 },
        Opamp = new OpampParameters { PowerPerBandwidthWattsPerHertz = 1e-12, SettlingBits = 8, IntegratorBandwidthRatio = 100 },
    };

    [Fact]
    public void Op_amp_power_follows_the_bandwidth_each_job_needs()
    {
        var p = Bandwidth(rc: 2e-5);
        Assert.Empty(p.Problems());
        // Single-pole settling to 2^-9 in 20 ns: GBW = 9 ln 2 / (2π · 20 ns) ≈ 49.65 MHz → 49.65 µW at 1 µW/MHz.
        Near(1e-12 * 9 * Math.Log(2) / (2 * Math.PI * 20e-9), p.TiaPowerWatts);
        Near(1e-12 * 9 * Math.Log(2) / (2 * Math.PI * 10e-9), p.ActivationPowerWatts);
        // 100 × 1/(2π · 20 µs) ≈ 795.8 kHz → 0.7958 µW.
        Near(1e-12 * 100 / (2 * Math.PI * 2e-5), p.IntegratorPowerWatts);

        // Halving RC doubles the integrators' power (and their energy per unit of generation time).
        var fast = Bandwidth(rc: 1e-5);
        Near(2 * p.IntegratorPowerWatts, fast.IntegratorPowerWatts);
        var slowModel = new EnergyModel(p, generationSeconds: 2e-5, passes: 1, controllerUpdates: 0, samples: 1);
        var fastModel = new EnergyModel(fast, generationSeconds: 1e-5, passes: 1, controllerUpdates: 0, samples: 1);
        Near(2 * p.IntegratorPowerWatts * (2e-5 + 1e-6), slowModel.Integrators(2));
        Near(2 * fast.IntegratorPowerWatts * (1e-5 + 1e-6), fastModel.Integrators(2));

        // Giving both the explicit power and the bandwidth model is refused, naming the key.
        var both = p with { Tia = p.Tia with { StaticPowerWatts = 2e-3 } };
        Assert.Contains(both.Problems(), m => m.Contains("tia.static_power_watts", StringComparison.Ordinal));
    }

    [Fact]
    public void Reset_and_initial_load_are_counted_in_time_and_energy()
    {
        var p = Bandwidth(rc: 2e-5);
        var model = new EnergyModel(p, generationSeconds: 2e-5, passes: 1, controllerUpdates: 100, samples: 10);
        var plan = DeploymentPlan.Create(TestNetworks.Inference(), p.Mapping);
        Near(1e-6 + 80e-9 + 2e-5 + 50e-9, model.TimePerSample(plan));
        Near(10e-3 * (2e-5 + 1e-6) * 10, model.Controller(width: 14, dim: 2, Diffusion.SamplerKind.Ode));
        Near(2 * 1e-13 * 10, model.InitialConditionDacs(2)); // one DAC update per channel per sample
    }

    [Fact]
    public void An_integrator_faster_than_its_loop_allows_is_refused()
    {
        // 2 × 20 ns + 10 ns = 50 ns minimum settling: RC below 500 ns is refused by the profile's own checks.
        var p = Round with { Integrator = Round.Integrator with { TimeConstantSeconds = 400e-9 } };
        Assert.Contains(p.Problems(), m => m.Contains("integrator.time_constant_seconds", StringComparison.Ordinal) && m.Contains("settling", StringComparison.Ordinal));
        Assert.DoesNotContain((Round with { Integrator = Round.Integrator with { TimeConstantSeconds = 500e-9 } }).Problems(),
            m => m.Contains("time_constant", StringComparison.Ordinal));
        // The paper's network's own loop is 80 ns: RC = 600 ns passes the profile check but not the deployment's.
        var net = TestNetworks.Inference();
        var ok = Round with { Integrator = Round.Integrator with { TimeConstantSeconds = 600e-9 } };
        Assert.DoesNotContain(ok.Problems(), m => m.Contains("time_constant", StringComparison.Ordinal));
        var e = Assert.Throws<UserInputException>(() => LoopTiming.Require(net, ok));
        Assert.Contains("loop settling (80 ns", e.Message, StringComparison.Ordinal);
        LoopTiming.Require(net, Round with { Integrator = Round.Integrator with { TimeConstantSeconds = 800e-9 } });
    }

    [Fact]
    public void Controller_dacs_cost_one_conversion_per_update()
    {
        Near(14 * 100 * 1e-13 * 10, Model.EmbeddingDacs(width: 14));
        Near(2 * 100 * 1e-13 * 10, Model.CoefficientDacs());
        Near(2 * 100 * 1e-13 * 10, Model.NoiseDacs(dim: 2, SamplerKind.Sde));
        Assert.Equal(0, Model.NoiseDacs(dim: 2, SamplerKind.Ode));
    }

    [Fact]
    public void Latency_is_settling_plus_a_conversion_and_a_hop_per_crossing()
    {
        Near(20e-9 + 2 * (50e-9 + 100e-9), Model.TileLatency(CrossingTile));
        var analog = CrossingTile with { DigitisedRows = new bool[4], DigitisedOutputs = false };
        Near(20e-9, Model.TileLatency(analog));

        // The paper's 2 → 14 → 14 → 2 network on one chip: three layers of 20 ns settling and two activations of 10 ns.
        var net = TestNetworks.Inference();
        var onOneChip = DeploymentPlan.Create(net, Round.Mapping);
        Near(3 * 20e-9 + 2 * 10e-9, Model.LoopDelay(onOneChip));
        Near(80e-9 + 2e-5 + 50e-9, Model.TimePerSample(onOneChip));

        // Tiles of 8 × 8, two per chip: layer 0 on chip 0, layer 1 on chips 1–2 (inputs over links), layer 2
        // on chip 3 (inputs over links), and the scores back to the integrators on chip 0 over a link.
        var split = DeploymentPlan.Create(net, Round.Mapping with { TileRows = 8, TileCols = 8, TilesPerChip = 2 });
        Assert.Equal(4, split.ChipCount);
        double hop = 50e-9 + 100e-9;
        Near(20e-9 + (20e-9 + hop) + (20e-9 + hop) + 2 * 10e-9 + hop, Model.LoopDelay(split));
    }

    /// <summary>Constant power P in every tile and a loop that does not move: every solver must charge P × span × RC.</summary>
    private sealed class ConstantPowerLoop(double watts) : ILoopDynamics
    {
        public double TimeConstant => 2e-5;
        public double Tau(double s) => 1 - s;
        public double NoiseAmplitude(double s) => 0;
        public bool ClampToRails(double[] x, int sample) => false;

        public ValueTask DerivativeAsync(int[] active, int count, double[] x, double[] s, double[] dx, double[] power, CancellationToken cancel)
        {
            Array.Clear(dx);
            Array.Fill(power, watts);
            return ValueTask.CompletedTask;
        }
    }

    [Theory]
    [InlineData("dp54")]
    [InlineData("dp54-across-checkpoints")]
    [InlineData("em")]
    [InlineData("sra1")]
    public async Task Cell_energy_is_the_power_integrated_over_the_accepted_steps(string scheme)
    {
        ISegmentSolver solver = scheme switch
        {
            "dp54" => new DormandPrince54(1e-4, 1e-5, span: 1, segmentsAreCheckpoints: false),
            "dp54-across-checkpoints" => new DormandPrince54(1e-4, 1e-5, span: 0.75, segmentsAreCheckpoints: true),
            "em" => new EulerMaruyama(1, 4, held: false, dim: 2),
            _ => new Sra1(1, 4, held: true, dim: 2),
        };
        var lane = new LaneState
        {
            FirstSample = 0,
            Count = 3,
            Labels = [],
            X = new double[6],
            StepSizes = new double[3],
            Times = [0.25, 0.25, 0.25],
            Slopes = new double[6],
            SlopePowers = new double[6],
            TileCellEnergyJoules = new double[2],
            TileMvms = new long[2],
        };
        var segment = new Segment(0, 0.25, 0.75);
        await solver.IntegrateAsync(lane, segment, new ConstantPowerLoop(1e-5), new SolverWorkspace(3, 2, 2), default);
        // 10 µW per sample × 3 samples × 0.5 (reverse-time span) × 20 µs (RC) = 300 pJ per tile.
        Assert.All(lane.TileCellEnergyJoules, e => Near(3 * 1e-5 * 0.5 * 2e-5, e));
        Assert.True(lane.Counters.AcceptedSteps > 0);
    }

    [Fact]
    public void The_accounting_adds_the_components_the_model_gives()
    {
        var net = TestNetworks.Inference();
        var profile = Round with
        {
            Mapping = Round.Mapping with { TileRows = 8, TileCols = 8, TilesPerChip = 2 },
            Controller = Round.Controller with { UpdatePeriodSeconds = 5e-6 }, // a quarter of RC: 4 updates over the span
        };
        var options = new AnalogRunOptions { Seed = 3, LaneSize = 5, Kind = SamplerKind.Sde, Substeps = 1 };
        var result = ReferenceSimulator.Run(net, profile, options, 10, []);
        Assert.Equal(4, result.ControllerUpdates);
        var model = new EnergyModel(profile, result.GenerationSeconds, passes: 1, controllerUpdates: 4, samples: 10);
        var plan = DeploymentPlan.Create(net, profile.Mapping);
        foreach (var (tile, report) in plan.Tiles.Zip(result.Tiles))
        {
            Assert.Equal(tile.Id, report.Id);
            Near(model.Tia(tile, result.LoopDelaySeconds), report.TiaEnergyJoules);
            Near(report.CellEnergyJoules + model.Tia(tile, result.LoopDelaySeconds) + model.TileConverters(tile) + model.TileLink(tile), report.EnergyJoules);
        }
        Near(result.Tiles.Sum(t => t.LinkEnergyJoules) + model.IntegratorLinks(2), result.Energy.Interconnect);
        Near(model.Integrators(2), result.Energy.Integrators);
        Near(model.NoiseDacs(2, SamplerKind.Sde), result.Energy.NoiseDacs);
        Near(model.EmbeddingDacs(14) + model.CoefficientDacs(), result.Energy.EmbeddingDacs + result.Energy.CoefficientDacs);
        Near(model.TimePerSample(plan), result.TimePerSampleSeconds);
        Near(result.Energy.Components.Sum(c => c.Joules), result.TotalEnergyJoules);
        Assert.Equal(plan.ChipCrossings().Select(c => (c.Key.From, c.Key.To, c.Value)), result.Links.Select(l => (l.From, l.To, l.Signals)));
        foreach (var link in result.Links)
        {
            Near(link.Signals * model.LinkBitsPerSignal, link.Bits);
            Near(model.LinkEnergy(link.Signals), link.EnergyJoules);
        }
    }

    [Fact]
    public void The_controller_quantises_coefficients_and_embeddings_and_counts_overflows()
    {
        var net = TestNetworks.Inference(classes: 3);
        var sde = net.Metadata.CreateSde();
        var profile = Round with { Controller = Round.Controller with { CoefficientDacBits = 4, EmbeddingDacBits = 4, EmbeddingFullScaleVolts = 0.1 } };
        var controller = new Controller(net, sde, profile, SamplerKind.Ode, 1.0, 1e-4, LabelEncoder.Of(net));

        // 4-bit coefficient DACs span the run's largest |f| and ½g² (at τ = 1 for the VP-SDE): steps of max/8.
        var (f, g2) = sde.ReverseSdeCoefficients(0.37);
        double fMax = Math.Abs(sde.DriftCoefficient(1.0)), gMax = 0.5 * Math.Max(sde.Diffusion(1.0) * sde.Diffusion(1.0), sde.Diffusion(1e-4) * sde.Diffusion(1e-4));
        var (drift, gain) = controller.Coefficients(0.37);
        Near(Math.Round(f / ((float)fMax / 8)) * ((float)fMax / 8), drift);
        Near(Math.Round(0.5 * g2 / ((float)gMax / 8)) * ((float)gMax / 8), gain);

        // Embeddings: time embedding + class row, then 4 bits over ±0.1 V = ±1 unit (steps of 1/8), clipped at the rails.
        int h = net.HiddenWidth;
        var table = new float[controller.Rows * h];
        var time = new float[h];
        net.TimeEmbedding([0.37f], time);
        var clipped = new int[controller.Rows];
        controller.Embeddings(0.37, table, clipped);
        for (int row = 0; row < controller.Rows; row++)
        {
            int expectedClipped = 0;
            for (int j = 0; j < h; j++)
            {
                float v = time[j] + net.LabelTable![row * h + j];
                if (v > 1 || v < -1) expectedClipped++;
                float code = Math.Clamp(MathF.Round(v / 0.125f), -8, 7);
                Assert.Equal(code * 0.125f, table[row * h + j]);
            }
            Assert.Equal(expectedClipped, clipped[row]);
        }
        Assert.True(clipped.Sum() > 0, "the test should exercise clipping");
    }
}
