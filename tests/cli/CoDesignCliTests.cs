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
        var thrice = Run("thrice", "--set", "device.write_verify.rounds=3");
        Assert.Equal(1, (int)once["program"]!["rounds"]!);
        Assert.Equal(3, (int)thrice["program"]!["rounds"]!);
        Assert.Equal("preset", (string?)once["profile_source"]);
        Assert.Equal("preset with --set device.write_verify.rounds=3", (string?)thrice["profile_source"]);
        Assert.Equal("rram-180nm", (string?)thrice["profile"]);
        Assert.True((double)thrice["program"]!["rms_error_microsiemens"]! < (double)once["program"]!["rms_error_microsiemens"]!,
            "re-programming rounds must lower the chip's programming error");
    }
}
