using System.Globalization;
using System.Text.Json.Nodes;

namespace MemristorGrid.Cli.Tests;

public class CliEndToEndTests
{
    private static JsonObject Report(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!.AsObject();

    [Fact]
    public void Train_inspect_and_baseline_produce_every_promised_file()
    {
        string dir = CliRunner.TempDir();
        string model = Path.Combine(dir, "tiny.onnx");
        var train = CliRunner.Run("train", "--task", "hku", "--epochs", "2", "--hidden", "8", "--seed", "3", "--out", model);
        Assert.True(train.ExitCode == 0, train.Err);
        Assert.True(File.Exists(model));

        var inspect = CliRunner.Run("inspect", "--model", model);
        Assert.Equal(0, inspect.ExitCode);
        Assert.Contains("2 → 8 → 8 → 2", inspect.Out);
        Assert.Contains("3 classes [H, K, U]", inspect.Out);
        Assert.Contains("train.seed", inspect.Out);

        string outDir = Path.Combine(dir, "run");
        var run = CliRunner.Run("baseline", "--model", model, "--samples", "50", "--steps", "20", "--labels", "K,U", "--sampler", "sde", "--out", outDir);
        Assert.True(run.ExitCode == 0, run.Err);
        var lines = File.ReadAllLines(Path.Combine(outDir, "samples.csv"));
        Assert.Equal("x1,x2,label", lines[0]);
        Assert.Equal(101, lines.Length);
        Assert.Equal(50, lines.Count(l => l.EndsWith(",K")));
        var report = Report(outDir);
        foreach (var key in new[] { "kl_paper", "kl_2d", "energy_distance", "samples", "steps", "wall_seconds", "seconds_per_sample", "class_accuracy" })
            Assert.True(report[key] is not null, $"report.json lacks {key}");
        Assert.Equal(100, (int)report["samples"]!);
        Assert.Equal(20, (int)report["steps"]!);
        byte[] png = File.ReadAllBytes(Path.Combine(outDir, "samples.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.True(png.Length > 20_000, $"plot is only {png.Length} bytes");
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));
    }

    [Fact]
    public void Labels_are_checked_against_the_model()
    {
        string dir = CliRunner.TempDir();
        string hku = Models.SaveUntrained(conditional: true, dir);
        var unknown = CliRunner.Run("baseline", "--model", hku, "--labels", "H,Z", "--out", Path.Combine(dir, "a"));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("error: unknown label 'Z'; the model's classes are H, K, U", unknown.Err.Trim());

        string ring = Models.SaveUntrained(conditional: false, dir);
        var uncond = CliRunner.Run("baseline", "--model", ring, "--labels", "H", "--out", Path.Combine(dir, "b"));
        Assert.Equal(1, uncond.ExitCode);
        Assert.Contains("unconditional", uncond.Err);
    }

    [Fact]
    public void A_pandas_to_csv_file_with_its_index_column_and_quoted_labels_trains_a_conditional_model()
    {
        string dir = CliRunner.TempDir();
        string csv = Path.Combine(dir, "pandas.csv");
        // What df.to_csv(path) writes: an unnamed index column first, text quoted where it needs to be.
        var rows = Enumerable.Range(0, 300).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"{i},{Math.Sin(i) * 0.5 + (i % 2 == 0 ? 1 : -1)},{Math.Cos(i * 1.7) * 0.5},{(i % 2 == 0 ? "\"east, wing\"" : "west")}"));
        File.WriteAllLines(csv, new[] { ",x1,x2,label" }.Concat(rows));
        string model = Path.Combine(dir, "pandas.onnx");
        var train = CliRunner.Run("train", "--task", $"csv:{csv}", "--epochs", "2", "--out", model);
        Assert.True(train.ExitCode == 0, train.Err);
        var inspect = CliRunner.Run("inspect", "--model", model);
        Assert.Contains("east, wing", inspect.Out);
        Assert.Contains("west", inspect.Out);
    }

    [Fact]
    public void A_csv_task_is_the_default_reference_and_a_changed_file_is_reported()
    {
        string dir = CliRunner.TempDir();
        string csv = Path.Combine(dir, "blob.csv");
        var rows = Enumerable.Range(0, 400).Select(i => string.Create(CultureInfo.InvariantCulture, $"{Math.Sin(i) * 0.5},{Math.Cos(i * 1.7) * 0.5}"));
        File.WriteAllLines(csv, new[] { "x1,x2" }.Concat(rows));
        string model = Path.Combine(dir, "blob.onnx");
        Assert.Equal(0, CliRunner.Run("train", "--task", $"csv:{csv}", "--epochs", "2", "--out", model).ExitCode);

        var same = CliRunner.Run("baseline", "--model", model, "--samples", "100", "--steps", "10", "--out", Path.Combine(dir, "r1"));
        Assert.Equal(0, same.ExitCode);
        Assert.DoesNotContain("changed", same.Err);
        Assert.EndsWith("blob.csv", (string)Report(Path.Combine(dir, "r1"))["reference"]!);

        File.AppendAllText(csv, "0.1,0.1\n");
        var changed = CliRunner.Run("baseline", "--model", model, "--samples", "100", "--steps", "10", "--out", Path.Combine(dir, "r2"));
        Assert.Equal(0, changed.ExitCode);
        Assert.Contains("changed since the model was trained", changed.Err);

        // The hint names the option that exists (it used to say `--reference PATH.csv`, which run and compare refuse).
        File.Delete(csv);
        var gone = CliRunner.Run("run", "--model", model, "--samples", "10", "--simulator", "reference", "--out", Path.Combine(dir, "r3"));
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("error: --reference-data is needed: the model was trained on", gone.Err);
        var given = CliRunner.Run("run", "--model", model, "--samples", "10", "--simulator", "reference", "--reference-data", "ring", "--out", Path.Combine(dir, "r4"));
        Assert.True(given.ExitCode == 0, given.Err);
    }

    [Fact]
    public void The_old_spellings_work_for_one_release_with_a_notice()
    {
        string dir = CliRunner.TempDir();
        var run = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--profile", "ideal", "--samples", "20", "--reference", "--out", Path.Combine(dir, "run"));
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("warning: --reference is deprecated", run.Err);
        Assert.Contains("--simulator reference", run.Err);
        Assert.Equal("reference", (string)Report(Path.Combine(dir, "run"))["simulator"]!);

        var baseline = CliRunner.Run("baseline", "--model", Models.Shipped("ring.onnx"), "--samples", "20", "--steps", "5", "--reference", "ring", "--out", Path.Combine(dir, "baseline"));
        Assert.True(baseline.ExitCode == 0, baseline.Err);
        Assert.Contains("use --reference-data", baseline.Err);
        Assert.Equal("ring", (string)Report(Path.Combine(dir, "baseline"))["reference"]!);
        Assert.DoesNotContain("--reference ", CliRunner.Run("run", "--help").Out); // hidden: only the new spellings are taught
    }

    [Fact]
    public void Engine_settings_are_reported_by_their_option_names()
    {
        var guidance = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--guidance", "1", "--simulator", "reference", "--out", CliRunner.TempDir());
        Assert.Equal(1, guidance.ExitCode);
        Assert.Equal("error: --guidance needs a conditional model", guidance.Err.Trim());
        var hidden = CliRunner.Run("train", "--task", "ring", "--hidden", "7", "--out", Path.Combine(CliRunner.TempDir(), "m.onnx"));
        Assert.StartsWith("error: --hidden must be an even number", hidden.Err);

        // Every option the map names exists on some command.
        var options = Client.Cli.Build().Subcommands.SelectMany(c => c.Options.Concat(c.Subcommands.SelectMany(s => s.Options))).Select(o => o.Name).ToHashSet();
        Assert.All(Client.Commands.SettingNames.FlagNames, flag => Assert.Contains(flag, options));
    }
}
