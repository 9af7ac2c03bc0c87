using System.Text.Json.Nodes;

namespace MemristorGrid.Cli.Tests;

/// <summary>Co-design from the command line: <c>train --for-profile</c> and a run's <c>--set</c> of one profile key.</summary>
public class CoDesignCliTests
{
    [Fact]
    public void Train_for_a_profile_records_it_and_run_set_changes_one_key_of_the_profile()
    {
        string dir = CliRunner.TempDir();
        string model = Path.Combine(dir, "ring-rram.onnx");
        var train = CliRunner.Run("train", "--task", "ring", "--epochs", "3", "--seed", "2", "--for-profile", "rram-180nm",
            "--set", "device.write_verify.rounds=3", "--out", model);
        Assert.True(train.ExitCode == 0, train.Err);
        var inspect = CliRunner.Run("inspect", "--model", model);
        Assert.Matches(@"train\.for_profile\s+rram-180nm with device\.write_verify\.rounds=3\r?\n", inspect.Out);
        Assert.Contains("neurram-tsmc130-measured", inspect.Out);
        Assert.Matches(@"train\.noise_std\s+0\r?\n", inspect.Out);

        // The same chip (program seed) with 1 and 3 programming rounds: the report states the rounds and where the profile came from.
        JsonNode Run(string name, params string[] extra)
        {
            string outDir = Path.Combine(dir, name);
            var run = CliRunner.Run(["run", "--model", model, "--simulator", "reference", "--samples", "200", "--program-seed", "4", "--out", outDir, .. extra]);
            Assert.True(run.ExitCode == 0, run.Err);
            return JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!;
        }
        var once = Run("once");
        var thrice = Run("thrice", "--set", "device.write_verify.rounds=3", "--set", "mapping.calibration_reads=16");
        Assert.Equal(1, (int)once["program"]!["rounds"]!);
        Assert.Equal(3, (int)thrice["program"]!["rounds"]!);
        Assert.Equal("preset", (string?)once["profile_source"]);
        Assert.Equal("preset with --set device.write_verify.rounds=3 --set mapping.calibration_reads=16", (string?)thrice["profile_source"]);
        // The calibration's cost: 16 reads of each of ring's 3 tiles, a conversion per column per read, in both reports.
        Assert.Equal(48, (long)thrice["program"]!["calibration_reads"]!);
        Assert.Equal(16 * 30, (long)thrice["program"]!["calibration_conversions"]!);
        Assert.True((double)thrice["program"]!["calibration_energy_joules"]! > 0);
        Assert.Null(once["program"]!["calibration_reads"]);
        Assert.Contains("| column calibration: reads / ADC conversions / energy / time | 48 / 480 /", File.ReadAllText(Path.Combine(dir, "thrice", "report.md")));
        Assert.Equal("rram-180nm", (string?)thrice["profile"]);
        Assert.True((double)thrice["program"]!["rms_error_microsiemens"]! < (double)once["program"]!["rms_error_microsiemens"]!,
            "re-programming rounds must lower the chip's programming error");
    }

    [Fact]
    public void The_codesigned_mixture_model_recovers_all_eight_modes_where_the_papers_recipe_loses_some()
    {
        // The held-out-style check (models/README.md, "Co-designed models"): blobs8.onnx (the paper's recipe) and
        // blobs8-rram-180nm-reprogram10.onnx (trained for rram-180nm with 10 programming rounds) on chip 2 of rram-180nm.
        string dir = CliRunner.TempDir();
        JsonNode Modes(string model, string name, params string[] extra)
        {
            string outDir = Path.Combine(dir, name);
            var run = CliRunner.Run(["run", "--model", Models.Shipped(model), "--simulator", "reference", "--samples", "2000", "--program-seed", "2",
                "--reference-data", Models.Shipped("blobs8.modes.csv"), "--out", outDir, .. extra]);
            Assert.True(run.ExitCode == 0, run.Err);
            return JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!["mode_coverage"]!;
        }
        var paper = Modes("blobs8.onnx", "paper");
        var paperReprogrammed = Modes("blobs8.onnx", "paper-r10", "--set", "device.write_verify.rounds=10");
        var codesigned = Modes("blobs8-rram-180nm-reprogram10.onnx", "codesigned", "--set", "device.write_verify.rounds=10");
        Assert.Equal(8, (int)codesigned["modes"]!);
        Assert.Equal(8, (int)codesigned["recovered"]!);
        Assert.True((int)paper["recovered"]! < 8, $"the paper's recipe recovered {(int)paper["recovered"]!} of 8 modes on the stock profile");
        Assert.True((int)paperReprogrammed["recovered"]! < 8, $"the paper's recipe recovered {(int)paperReprogrammed["recovered"]!} of 8 modes with 10 rounds");
        Assert.True((double)codesigned["weight_error"]! < (double)paperReprogrammed["weight_error"]!);
    }
}
