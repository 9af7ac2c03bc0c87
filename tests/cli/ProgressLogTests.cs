using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MemristorGrid.Cli.Tests;

/// <summary>A run whose output is not a terminal (a Kubernetes Job's log) still shows it is moving: a progress line on
/// standard error at most every MEMGRID_PROGRESS_SECONDS.</summary>
public class ProgressLogTests
{
    private static (int Code, string Err) Run(double seconds, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "memgrid.dll"), .. args])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["MEMGRID_PROGRESS_SECONDS"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string err = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(120_000), "the run did not finish in 2 min");
        _ = stdout.Result;
        return (p.ExitCode, err);
    }

    [Fact]
    public void A_redirected_run_logs_its_progress_and_a_zero_interval_logs_none()
    {
        string[] args = ["run", "--model", Models.Shipped("ring.onnx"), "--samples", "20000", "--simulator", "reference", "--out", CliRunner.TempDir()];
        var (code, err) = Run(0.2, args);
        Assert.True(code == 0, err);
        var lines = err.Split('\n').Where(l => l.StartsWith("analog ode on rram-180nm: ", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count >= 2, err);
        Assert.All(lines, l => Assert.Matches(new Regex(@": \d+ ?% · [\d,.]+ samples/s \(\d\d:\d\d:\d\d(, ~\d\d:\d\d:\d\d left)?\)$"), l.TrimEnd('\r')));
        var (quietCode, quiet) = Run(0, args);
        Assert.True(quietCode == 0, quiet);
        Assert.DoesNotContain("analog ode on rram-180nm: ", quiet);
    }
}
