using System.Diagnostics;

namespace MemristorGrid.Cli.Tests;

/// <summary>Ctrl-C and SIGTERM stop a command on the embedded silo promptly, with exit code 130 and nothing
/// half-written (a run's outputs are written only once it is complete; a sweep keeps its finished cells).</summary>
public sealed class CancellationTests
{
    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "memgrid.dll"), .. args])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        return Process.Start(info)!;
    }

    /// <summary>Kills what is left of a process a failed assertion leaves running.</summary>
    private sealed class Reaped(Process process) : IDisposable
    {
        public void Dispose()
        {
            try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.Dispose();
        }
    }

    private static void Signal(Process p, string signal) => Process.Start("kill", $"-{signal} {p.Id}")!.WaitForExit();

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task A_run_on_the_embedded_silo_stops_on_a_signal(string signal)
    {
        string dir = Path.Combine(CliRunner.TempDir(), "out");
        var run = Start("run", "--model", Models.Shipped("ring.onnx"), "--samples", "400000", "--out", dir);
        using var reaped = new Reaped(run);
        var stderr = run.StandardError.ReadToEndAsync();
        // The output directory is made once the settings are read, just before the simulation starts.
        for (var deadline = DateTime.UtcNow.AddMinutes(1); !Directory.Exists(dir); await Task.Delay(50))
            Assert.True(DateTime.UtcNow < deadline && !run.HasExited, "the run did not start");
        await Task.Delay(2000); // the embedded silo is up and the job is running
        Assert.False(run.HasExited, "the run should still be going");
        var sent = Stopwatch.StartNew();
        Signal(run, signal);
        Assert.True(run.WaitForExit(15_000), $"still running {sent.Elapsed.TotalSeconds:F0} s after SIG{signal}");
        string err = await stderr;
        Assert.True(run.ExitCode == 130, $"exit code {run.ExitCode} after SIG{signal}: {err}");
        Assert.Contains("cancelled", err);
        Assert.DoesNotContain("   at ", err);
        Assert.False(Directory.Exists(dir), "the cancelled run left its output directory behind");
    }

    /// <summary>The digital baseline once ran on through SIGTERM (its sampler was never given the signal's token).</summary>
    [Fact]
    public async Task A_digital_baseline_stops_on_a_signal()
    {
        string dir = Path.Combine(CliRunner.TempDir(), "out");
        var run = Start("baseline", "--model", Models.Shipped("ring.onnx"), "--samples", "100", "--steps", "1000000", "--out", dir);
        using var reaped = new Reaped(run);
        var stderr = run.StandardError.ReadToEndAsync();
        for (var deadline = DateTime.UtcNow.AddMinutes(1); !Directory.Exists(dir); await Task.Delay(50))
            Assert.True(DateTime.UtcNow < deadline && !run.HasExited, "the baseline did not start");
        await Task.Delay(1500);
        Assert.False(run.HasExited, "the baseline should still be going");
        var sent = Stopwatch.StartNew();
        Signal(run, "TERM");
        Assert.True(run.WaitForExit(15_000), $"still running {sent.Elapsed.TotalSeconds:F0} s after SIGTERM");
        string err = await stderr;
        Assert.True(run.ExitCode == 130, $"exit code {run.ExitCode} after SIGTERM: {err}");
        Assert.Contains("cancelled", err);
        Assert.Empty(Directory.Exists(dir) ? Directory.GetFiles(dir) : []);
    }

    [Fact]
    public async Task A_sweep_stopped_by_ctrl_c_keeps_its_finished_cells_and_writes_no_summary()
    {
        string dir = CliRunner.TempDir(), cells = Path.Combine(dir, "cells");
        var sweep = Start("sweep", "--model", Models.Shipped("ring.onnx"), "--set", "device.read_noise_sigma=0,0.01,0.02", "--chips", "2",
            "--samples", "2000", "--parallel", "1", "--out", dir);
        using var reaped = new Reaped(sweep);
        var stderr = sweep.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!(Directory.Exists(cells) && Directory.GetFiles(cells, "*.json").Length >= 1))
        {
            Assert.False(sweep.HasExited, "the sweep ended before it was interrupted");
            Assert.True(DateTime.UtcNow < deadline, "no cell finished in 3 minutes");
            await Task.Delay(50);
        }
        Signal(sweep, "INT");
        Assert.True(sweep.WaitForExit(15_000), "the sweep did not stop within 15 s of Ctrl-C");
        Assert.Equal(130, sweep.ExitCode);
        Assert.Contains("cancelled", await stderr);
        Assert.InRange(Directory.GetFiles(cells, "*.json").Length, 1, 5);
        Assert.False(File.Exists(Path.Combine(dir, "sweep.csv")));
        Assert.Empty(Directory.GetFiles(cells, "*.tmp"));
    }
}
