using System.Text.Json.Nodes;

namespace MemristorGrid.Cli.Tests;

/// <summary><c>memgrid tolerance</c> end to end on the embedded silo.</summary>
public class ToleranceCliTests
{
    [Fact]
    public void Tolerance_finds_the_documented_verify_tolerance_threshold_and_resumes_from_its_cells()
    {
        // docs/reproduction.md's sweep (ring, 5 chips, 2 000 samples, relaxation off): ±0.25 µS gives 1.0× digital, ±0.5 µS 1.6×,
        // ±1 µS 2.7×; so a 1.5× budget is crossed between 0.25 and 1 µS. Range 0.25 → 2 µS in 3 steps: brackets of 0.22 µS.
        string dir = CliRunner.TempDir();
        string[] args = ["tolerance", "--model", Models.Shipped("ring.onnx"), "--set", "device.write_verify.relaxation_scale=0",
            "--parameter", "device.write_verify.tolerance_microsiemens=0.25:2", "--steps", "3", "--max-ratio", "1.5", "--out", dir];
        var first = CliRunner.Run(args);
        Assert.True(first.ExitCode == 0, first.Err);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "tolerance.json")))!;
        var finding = report["parameters"]![0]!;
        double met = (double)finding["met_up_to"]!, missed = (double)finding["misses_at"]!;
        Assert.InRange(met, 0.25, 1.0);
        Assert.InRange(missed, met, 1.0 + 0.22);
        Assert.Equal(1.75 / 8, missed - met, 9);
        Assert.Equal(1.5 * (double)report["digital"]!, (double)report["budget_limit"]!, 12);
        foreach (var f in new[] { "tolerance.md", "tolerance.csv", "tolerance.png", "profile.json" }) Assert.True(File.Exists(Path.Combine(dir, f)), f);
        Assert.Contains("meets the budget up to", File.ReadAllText(Path.Combine(dir, "tolerance.md")));

        // Every probe was kept: the same command runs no cell again and gives the same answer.
        var second = CliRunner.Run(args);
        Assert.True(second.ExitCode == 0, second.Err);
        Assert.DoesNotContain("chip 1: kl_paper", second.Out);
        var again = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "tolerance.json")))!["parameters"]![0]!;
        Assert.Equal(met, (double)again["met_up_to"]!);
    }
}
