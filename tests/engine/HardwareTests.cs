using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Devices;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Tests;

/// <summary>The physics of one device, converter and tile, pinned with hand-computed values.</summary>
public class HardwareTests
{
    private static HardwareProfile Ideal => HardwareProfile.Resolve("ideal");

    /// <summary>A 3-row × 2-column tile on chip 0 with analog inputs (no digitised rows or outputs).</summary>
    private static TilePlan Plan(int rows = 3, int cols = 2) =>
        new(0, 0, 0, 0, 0, rows, 0, cols, 0, 0, -1, new bool[rows], new int[rows], false);

    /// <summary>Digitised rows with an analog bias row: the batch's DAC pass leaves the bias alone and counts
    /// only the data rows' overflows — the same outputs and count as quantising the data rows by hand.</summary>
    [Fact]
    public void Tile_dac_quantises_every_row_but_the_bias_and_counts_their_overflows()
    {
        var profile = HardwareProfile.Resolve("rram-180nm");
        const int rows = 4, cols = 3, n = 41;
        var rng = new CounterRng(5, 1);
        var g = new float[2 * rows * cols];
        rng.FillUniform(g.AsSpan(), 5f, 100f);
        var gp = g[..(rows * cols)].Select(v => v * 1e-6).ToArray();
        var gm = g[(rows * cols)..].Select(v => v * 1e-6).ToArray();
        var withBias = new CrossbarTile(new TilePlan(0, 0, 0, 0, 0, rows, 0, cols, 0, 0, rows - 1, [true, true, true, false], new int[rows], false),
            gp, gm, [1f, 1f, 1f], profile with { Device = profile.Device with { ReadNoiseSigma = 0 } });
        var analog = new CrossbarTile(Plan(rows, cols), gp, gm, [1f, 1f, 1f], profile with { Device = profile.Device with { ReadNoiseSigma = 0 } });
        var x = new float[n * rows];
        float fullScale = (float)(profile.Dac.FullScaleVolts / profile.Signal.VoltsPerUnit);
        rng.FillUniform(x.AsSpan(), -3f * fullScale, 3f * fullScale); // many beyond the DAC's full scale
        // The bias row is driven at one unit; other values, off the DAC's grid and beyond its range, show it is left alone.
        for (int i = 0; i < n; i++) x[i * rows + rows - 1] = (i % 3) switch { 0 => 1f, 1 => 0.01234f, _ => 2f * fullScale };
        var dac = Converters.TileDac(profile);
        var quantised = x.ToArray();
        int expectedOverflows = 0;
        for (int i = 0; i < n; i++)
            for (int r = 0; r < rows - 1; r++)
            {
                quantised[i * rows + r] = dac.Apply(x[i * rows + r], out bool over);
                if (over) expectedOverflows++;
            }
        var y = new float[n * cols];
        var expected = new float[n * cols];
        var result = withBias.Evaluate(x, y, n, new ReadContext(1, 0, 0, 0));
        analog.Evaluate(quantised.ToArray(), expected, n, new ReadContext(1, 0, 0, 0));
        Assert.True(expectedOverflows > 10);
        Assert.Equal(expectedOverflows, result.InputOverflows);
        Assert.Equal(expected, y);
        Assert.Equal(quantised, x);
    }

    [Fact]
    public void Tile_reproduces_ohm_and_kirchhoff_and_the_cell_power_sum_exactly()
    {
        var profile = Ideal;
        double[] gp = [10e-6, 20e-6, 30e-6, 40e-6, 50e-6, 60e-6];
        double[] gm = [5e-6, 5e-6, 5e-6, 100e-6, 5e-6, 5e-6];
        float[] scale = [2f, 2f];
        var tile = new CrossbarTile(Plan(), gp, gm, scale, profile);
        float[] x = [0.5f, -1.25f, 2f];
        var y = new float[2];
        var result = tile.Evaluate(x.ToArray(), y, 1, new ReadContext(1, 0, 0, 0));

        double vpu = profile.Signal.VoltsPerUnit, window = 95e-6, seconds = 3.7e-6;
        for (int c = 0; c < 2; c++)
        {
            double current = 0;
            for (int r = 0; r < 3; r++) current += x[r] * vpu * (gp[r * 2 + c] - gm[r * 2 + c]);
            double expected = current / vpu * scale[c] / window;
            Assert.Equal(expected, y[c], 5);
        }
        double power = 0;
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 2; c++) power += Math.Pow(x[r] * vpu, 2) * (gp[r * 2 + c] + gm[r * 2 + c]);
        Assert.Equal(power * seconds, result.CellPowerWatts * seconds, 1e-6 * power * seconds);
    }

    [Fact]
    public void Zero_input_draws_no_cell_power()
    {
        var tile = new CrossbarTile(Plan(), [1e-4, 1e-4, 1e-4, 1e-4, 1e-4, 1e-4], [5e-6, 5e-6, 5e-6, 5e-6, 5e-6, 5e-6], [1f, 1f], Ideal);
        var y = new float[2];
        var result = tile.Evaluate(new float[3], y, 1, new ReadContext(1, 0, 0, 0));
        Assert.Equal(0.0, result.CellPowerWatts);
        Assert.All(y, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Quantizer_rounds_to_codes_and_counts_overflow()
    {
        var q = new Quantizer(3, 1f); // 8 codes, step 0.25, range [−1, 0.75]
        float[] v = [0.1f, 0.13f, -0.3f, 2f, -5f, 0.74f];
        int overflow = q.Apply(v);
        Assert.Equal([0f, 0.25f, -0.25f, 0.75f, -1f, 0.75f], v);
        Assert.Equal(2, overflow);
        float[] untouched = [123.456f, -1e9f];
        Assert.Equal(0, Quantizer.Ideal.Apply(untouched));
        Assert.Equal([123.456f, -1e9f], untouched);
    }

    [Fact]
    public void Tia_rails_clip_outputs_and_count_them()
    {
        var profile = Ideal with { Tia = Ideal.Tia with { SaturationVolts = 0.1 } }; // 1 unit
        var tile = new CrossbarTile(Plan(1, 2), [100e-6, 5e-6], [5e-6, 100e-6], [4f, 4f], profile);
        var y = new float[2];
        var result = tile.Evaluate(new float[] { 1f }, y, 1, new ReadContext(1, 0, 0, 0));
        Assert.Equal([1f, -1f], y);
        Assert.Equal(2, result.SaturatedOutputs);
    }

    [Fact]
    public void Drift_follows_the_power_law_after_t0_and_compensation_undoes_the_mean()
    {
        var p = new DeviceParameters { Drift = new DriftParameters { Nu = 0.05, T0Seconds = 2, AgeSeconds = 200, Compensated = true } };
        var device = new DeviceModel(p);
        Assert.Equal(50e-6 * Math.Pow(100, -0.05), device.Drift(50e-6, 200, 0), 15);
        Assert.Equal(50e-6, device.Drift(50e-6, 1, 0));
        Assert.Equal(50e-6 * Math.Pow(100, -0.05) * Math.Pow(100, 0.05), device.Drift(50e-6, 200, 0) * device.DriftCompensation(200), 15);
        var spread = new DeviceModel(p with { Drift = p.Drift with { NuSigma = 0.01 } });
        Assert.Equal(50e-6 * Math.Pow(100, -0.07), spread.Drift(50e-6, 200, 2), 15);
    }

    [Fact]
    public void Stuck_at_rates_pin_devices_at_the_window_ends()
    {
        var p = new DeviceParameters { GMinMicrosiemens = 5, GMaxMicrosiemens = 100, StuckAtGminRate = 0.3, StuckAtGmaxRate = 0.2 };
        var device = new DeviceModel(p);
        var noise = Streams.Rng(7, StreamPurpose.ProgrammingNoise);
        var uniforms = Streams.Rng(7, StreamPurpose.StuckAt);
        const int n = 20_000;
        int atMin = 0, atMax = 0;
        for (ulong i = 0; i < n; i++)
        {
            double g = device.Program(50e-6, i, noise, uniforms);
            if (g == device.GMin) atMin++;
            else if (g == device.GMax) atMax++;
            else Assert.Equal(50e-6, g, 15);
        }
        Assert.InRange(atMin, n * 0.3 - 5 * Math.Sqrt(n * 0.21), n * 0.3 + 5 * Math.Sqrt(n * 0.21));
        Assert.InRange(atMax, n * 0.2 - 5 * Math.Sqrt(n * 0.16), n * 0.2 + 5 * Math.Sqrt(n * 0.16));
        var all = new DeviceModel(p with { StuckAtGminRate = 0, StuckAtGmaxRate = 1 });
        Assert.Equal(all.GMax, all.Program(20e-6, 3, noise, uniforms));
    }

    [Fact]
    public void Levels_and_truncated_noise_stay_within_their_bounds()
    {
        var p = new DeviceParameters
        {
            GMinMicrosiemens = 0,
            GMaxMicrosiemens = 100,
            Levels = 5,
            ProgrammingNoise = new ProgrammingNoiseParameters { Model = "truncated-multiplicative", Sigma = 0.1, Truncation = 0.2 },
        };
        var device = new DeviceModel(p);
        Assert.Equal(25e-6, device.NearestLevel(31e-6), 15);
        Assert.Equal(100e-6, device.NearestLevel(140e-6), 15);
        var noise = Streams.Rng(3, StreamPurpose.ProgrammingNoise);
        var uniforms = Streams.Rng(3, StreamPurpose.StuckAt);
        var eps = Enumerable.Range(0, 20_000).Select(i => device.Program(50e-6, (ulong)i, noise, uniforms) / 50e-6 - 1).ToArray();
        Assert.All(eps, e => Assert.InRange(e, -0.2 - 1e-12, 0.2 + 1e-12));
        double sd = Math.Sqrt(eps.Select(e => e * e).Average());
        // σ 0.1 truncated at ±2σ (variance 0.00774 inside) with the 4.55 % beyond redrawn uniformly in ±0.2: σ = 0.0894.
        Assert.InRange(sd, 0.087, 0.092);
    }

    [Fact]
    public void The_same_seed_programs_identical_conductances_and_tiles_get_independent_noise()
    {
        var net = TestNetworks.Inference(h: 32, layers: 2);
        var profile = HardwareProfile.Resolve("rram-180nm") with { Mapping = new MappingParameters { TileRows = 8, TileCols = 8, TilesPerChip = 4 } };
        var plan = DeploymentPlan.Create(net, profile.Mapping);
        var a = CrossbarTile.Program(plan.Tiles[5], net, profile, 11);
        var b = CrossbarTile.Program(plan.Tiles[5], net, profile, 11);
        var c = CrossbarTile.Program(plan.Tiles[5], net, profile, 12);
        Assert.Equal(a.GPlus, b.GPlus);
        Assert.Equal(a.GMinus, b.GMinus);
        Assert.NotEqual(a.GPlus, c.GPlus);

        // Same targets on two tiles: the relative programming errors must be uncorrelated.
        var flat = profile with { Device = profile.Device with { StuckAtGmaxRate = 0, StuckAtGminRate = 0, Levels = null, Drift = new DriftParameters(), WriteVerify = null } };
        var layer = new Networks.DenseLayer(64, 64, Enumerable.Repeat(0.5f, 64 * 64).ToArray(), new float[64]);
        var big = new Networks.ScoreNetwork([new Networks.DenseLayer(2, 64, new float[128], new float[64]), layer, new Networks.DenseLayer(64, 2, new float[128], new float[2])],
            new float[32], null, null, 1f, new Networks.DiffusionMetadata());
        var bigPlan = DeploymentPlan.Create(big, flat.Mapping with { TileRows = 32, TileCols = 32 });
        var t1 = CrossbarTile.Program(bigPlan.LayerTiles[1].Select(i => bigPlan.Tiles[i]).First(t => t.RowBlock == 0 && t.ColBlock == 0), big, flat, 5);
        var t2 = CrossbarTile.Program(bigPlan.LayerTiles[1].Select(i => bigPlan.Tiles[i]).First(t => t.RowBlock == 0 && t.ColBlock == 1), big, flat, 5);
        double[] e1 = t1.GPlus.Select(g => g / t1.GPlus.Average() - 1).ToArray(), e2 = t2.GPlus.Select(g => g / t2.GPlus.Average() - 1).ToArray();
        double corr = e1.Zip(e2, (u, v) => u * v).Sum() / Math.Sqrt(e1.Sum(u => u * u) * e2.Sum(v => v * v));
        Assert.InRange(corr, -5 / Math.Sqrt(e1.Length), 5 / Math.Sqrt(e1.Length));
        Assert.InRange(Math.Sqrt(e1.Select(e => e * e).Average()), 0.079, 0.1);
    }

    [Fact]
    public void Presets_load_and_bad_profiles_are_refused_with_the_key_named()
    {
        foreach (var name in HardwareProfile.Presets) Assert.Equal(name, HardwareProfile.Resolve(name).Name);
        string json = Ideal.ToJson();
        Assert.Contains("g_min_microsiemens", Assert.Throws<UserInputException>(() => HardwareProfile.Parse(json.Replace("\"g_min_microsiemens\": 5", "\"g_min_microsiemens\": 500"), "x.json")).Message);
        Assert.Contains("read_noise_sigma", Assert.Throws<UserInputException>(() => HardwareProfile.Parse(json.Replace("\"read_noise_sigma\": 0", "\"read_noise_sigma\": -0.1"), "x.json")).Message);
        Assert.Contains("levels", Assert.Throws<UserInputException>(() => HardwareProfile.Parse(json.Replace("\"levels\": null", "\"levels\": 0"), "x.json")).Message);
        var unknown = Assert.Throws<UserInputException>(() => HardwareProfile.Parse(json.Replace("\"levels\": null", "\"levels\": null, \"colour\": 3"), "x.json"));
        Assert.Contains("unknown key", unknown.Message);
        Assert.Contains("colour", unknown.Message);
        Assert.Contains("model", Assert.Throws<UserInputException>(() => HardwareProfile.Parse(json.Replace("\"model\": \"none\"", "\"model\": \"quantum\""), "x.json")).Message);
        Assert.Contains("not valid JSON", Assert.Throws<UserInputException>(() => HardwareProfile.Parse("{ \"name\": ", "x.json")).Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_wide_network_is_split_over_tiles_and_chips_with_digitised_crossings()
    {
        var net = TestNetworks.Inference(d: 16, h: 256, layers: 3);
        var plan = DeploymentPlan.Create(net, new MappingParameters { TileRows = 64, TileCols = 64, TilesPerChip = 16 });
        // 17 rows × 4 col blocks + 2 × (257 rows: 5 × 4) + 257 × 16: 5 = 4 + 40 + 5.
        Assert.Equal(49, plan.Tiles.Count);
        Assert.Equal(4, plan.ChipCount);
        Assert.NotEmpty(plan.ChipCrossings());
        Assert.All(plan.Tiles, t => Assert.True(t.RowCount <= 64 && t.ColCount <= 64));
        Assert.Equal(plan.Tiles.Count, plan.Tiles.Select(t => t.Id).Distinct().Count());
        Assert.Contains("chip 3", plan.Describe());
    }
}
