using System.Text.Json;
using MemristorGrid.Engine.Devices;
using MemristorGrid.Engine.Devices.ProgrammingNoise;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Runs;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Tests;

/// <summary>What must hold on every hardware preset, checked on each: the energy adds up, the typed report reads back
/// what it wrote, the profile survives its own JSON; and every device model a profile can name is reachable by it.</summary>
public class PresetTests
{
    public static TheoryData<string> Presets => [.. HardwareProfile.Presets];

    private static async Task<RunOutcome> RunAsync(string preset)
    {
        string path = TestNetworks.ModelPath("ring.onnx");
        byte[] bytes = File.ReadAllBytes(path);
        var request = RunRequest.Create(new RunSpec
        {
            ModelPath = path, ModelBytes = bytes, Network = OnnxImporter.FromBytes(bytes, path), Profile = preset, SamplesPerLabel = 40,
            Options = new AnalogRunOptions { Seed = 2, LaneSize = 20 },
        }, _ => { });
        return await new RunPipeline(new ReferenceMachine()).RunAsync(request);
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public async Task Energy_adds_up_on_every_preset(string preset)
    {
        var outcome = await RunAsync(preset);
        var (result, report) = (outcome.Result, outcome.Report);
        double total = result.TotalEnergyJoules;
        Assert.True(total > 0);
        Assert.Equal(total, result.Energy.Components.Sum(c => c.Joules), 1e-12 * total);
        Assert.Equal(total, result.Tiles.Sum(t => t.EnergyJoules) + result.PeripheryEnergy().Sum(c => c.Joules), 1e-12 * total);
        Assert.Equal(total, report.EnergyBreakdownJoules.Values.Sum(), 1e-12 * total);
        Assert.Equal(total / 40, report.EnergyPerSampleJoules, 1e-12 * total);
        Assert.Equal(1, report.EnergyBasis.SourcedShare + report.EnergyBasis.AssumedShare, 1e-12);
        Assert.Equal(report.TimePerSampleSeconds, report.ResetSeconds + report.LoopDelaySeconds + report.GenerationSeconds + report.ReadoutSeconds, 1e-12 * report.TimePerSampleSeconds);
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public async Task The_typed_report_reads_back_what_it_wrote_on_every_preset(string preset)
    {
        var report = (await RunAsync(preset)).Report;
        string json = ReportJson.Serialize(report);
        var back = JsonSerializer.Deserialize(json, ReportJson.Default.RunReport)!;
        Assert.Equal(json, ReportJson.Serialize(back));
        Assert.Equal(preset, back.Provenance!.Profile);
        Assert.Equal(Provenance.Sha256(Provenance.ProfileBytes(HardwareProfile.Resolve(preset))), back.Provenance.ProfileSha256);
    }

    [Fact]
    public async Task The_report_holds_every_lane_counter_by_name()
    {
        var report = (await RunAsync("rram-180nm")).Report;
        Assert.Equal(typeof(LaneCounters).GetFields().Length, report.Counters.Count);
        Assert.Equal(report.AcceptedSteps, report.Counters["accepted_steps"]);
        Assert.Equal(report.NetworkEvaluations, report.Counters["network_evaluations"]);
        Assert.Equal(report.EmbeddingDacUpdates, report.Counters["embedding_values"]);
        Assert.True(report.Counters["sample_evaluations"] > 0);
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void A_profile_survives_its_own_json_on_every_preset(string preset)
    {
        var profile = HardwareProfile.Resolve(preset);
        string json = profile.ToJson();
        Assert.Equal(json, HardwareProfile.Parse(json, "round trip").ToJson());
    }

    [Fact]
    public void Every_programming_noise_model_is_one_class_a_profile_names()
    {
        Assert.Equal(["gaussian-proportional", "none", "rram-fit", "truncated-multiplicative"], ProgrammingNoiseModels.Names);
        var ideal = HardwareProfile.Resolve("ideal");
        foreach (string name in ProgrammingNoiseModels.Names)
        {
            var profile = ideal.With("device.programming_noise.truncation", "0.2").With("device.programming_noise.fit_intercept_microsiemens", "1")
                .With("device.programming_noise.model", name).With("device.programming_noise.sigma", "0.1");
            Assert.Equal(name, profile.Device.ProgrammingNoise.Model);
            var device = new DeviceModel(profile.Device);
            var draws = DeviceModel.ProgrammingDraws.For(1, 0);
            double g = device.Write(20e-6, 0, draws).Conductance;
            Assert.InRange(g, 0, 1e-3);
            Assert.True(name == "none" ? g == device.NearestLevel(20e-6) : g != device.NearestLevel(20e-6), $"{name}: {g}");
        }
        var e = Assert.Throws<UserInputException>(() => ideal.With("device.programming_noise.model", "lognormal"));
        Assert.Contains("gaussian-proportional, none, rram-fit, truncated-multiplicative", e.Message);
    }

    [Fact]
    public void Converter_energy_is_the_stated_figure_unless_the_profile_names_another_model()
    {
        var profile = HardwareProfile.Resolve("rram-180nm");
        Assert.Null(profile.Adc.EnergyModel);
        Assert.Equal(profile.Adc.EnergyPerConversionJoules, profile.Adc.JoulesPerConversion());
        Assert.Equal(profile.Adc.EnergyPerConversionJoules, profile.With("adc.energy_model", "stated").Adc.JoulesPerConversion());
        Assert.DoesNotContain("energy_model", profile.ToJson()); // absent stays absent: profile hashes and sweep cell ids do not move
        var e = Assert.Throws<UserInputException>(() => profile.With("adc.energy_model", "walden"));
        Assert.Contains("adc.energy_model must be one of stated", e.Message);
    }

    [Fact]
    public void Every_weight_scaling_is_one_class_a_profile_names()
    {
        Assert.Equal(["column", "layer"], Crossbars.WeightScaling.WeightScalings.Names);
        var layer = TestNetworks.Inference().Layers[0];
        var ideal = HardwareProfile.Resolve("ideal");
        float[] perLayer = Crossbars.WeightScaling.WeightScalings.For(ideal.Mapping).ColumnScales(layer);
        float[] perColumn = Crossbars.WeightScaling.WeightScalings.For(ideal.With("mapping.weight_scale", "column").Mapping).ColumnScales(layer);
        Assert.All(perLayer, s => Assert.Equal(perColumn.Max(), s));
        Assert.True(perColumn.Distinct().Count() > 1, "columns have their own scales");
        Assert.Throws<UserInputException>(() => ideal.With("mapping.weight_scale", "row"));
    }
}
