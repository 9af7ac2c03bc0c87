using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MemristorGrid.Engine.Spice;

/// <summary>What ngspice computed for one netlist: the integrator outputs over time and the power the arrays drew.</summary>
/// <param name="Times">ngspice's own time points (s).</param>
/// <param name="States">[channel][time point] integrator outputs (V).</param>
/// <param name="ArrayPowerWatts">[time point] Σ over row drivers of v(driver)·i(feed): the cells, wires and driver resistances.</param>
public sealed record SpiceTrace(double[] Times, double[][] States, double[] ArrayPowerWatts, TimeSpan Elapsed)
{
    /// <summary>Channel <paramref name="channel"/> at time <paramref name="t"/>, linearly interpolated between ngspice's points.</summary>
    public double StateAt(int channel, double t) => Interpolate(States[channel], t);

    /// <summary>∫P dt / T over the whole trace (trapezoid on ngspice's points).</summary>
    public double MeanArrayPowerWatts()
    {
        double energy = 0;
        for (int i = 1; i < Times.Length; i++) energy += 0.5 * (ArrayPowerWatts[i] + ArrayPowerWatts[i - 1]) * (Times[i] - Times[i - 1]);
        return energy / (Times[^1] - Times[0]);
    }

    private double Interpolate(double[] values, double t)
    {
        int hi = Array.BinarySearch(Times, t);
        if (hi >= 0) return values[hi];
        hi = ~hi;
        if (hi == 0) return values[0];
        if (hi >= Times.Length) return values[^1];
        double w = (t - Times[hi - 1]) / (Times[hi] - Times[hi - 1]);
        return values[hi - 1] + w * (values[hi] - values[hi - 1]);
    }
}

/// <summary>
/// Runs Debian's ngspice in batch mode on a <see cref="LoopNetlist"/>: the netlist, a control block (transient over the
/// generation, the array power summed from the feeds' ammeters) and the results as a table (<c>wrdata</c>), all in one
/// folder, so a user can re-run the same file with <c>ngspice -b NAME.cir</c>.
/// </summary>
public static class Ngspice
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The ngspice executable on PATH, or null.</summary>
    public static string? Locate()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "ngspice");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>The netlist with its control block: a transient to the end of the generation whose steps are at most
    /// <paramref name="maxStepSeconds"/>, writing <c>NAME.dat</c> beside it.</summary>
    public static string Deck(LoopNetlist netlist, string name, double maxStepSeconds)
    {
        var sb = new StringBuilder(netlist.Text);
        sb.Append(".control\n");
        sb.Append("set wr_singlescale\nset wr_vecnames\n");
        sb.Append(Inv, $"tran {maxStepSeconds:R} {netlist.StopSeconds:R} 0 {maxStepSeconds:R}\n");
        sb.Append("let parray = 0\n");
        foreach (var feed in netlist.Feeds) sb.Append($"let parray = parray + v({feed.DriverNode})*i({feed.Ammeter})\n");
        sb.Append($"wrdata {name}.dat {string.Join(" ", netlist.StateNodes.Select(n => $"v({n})"))} parray\n");
        sb.Append("quit\n.endc\n.end\n");
        return sb.ToString();
    }

    /// <summary>Writes <c>NAME.cir</c> in <paramref name="folder"/>, runs ngspice on it there (its log in <c>NAME.log</c>) and reads <c>NAME.dat</c>.</summary>
    public static SpiceTrace Run(LoopNetlist netlist, string folder, string name, double maxStepSeconds, TimeSpan timeout, CancellationToken cancel = default)
    {
        string executable = Locate() ?? throw new UserInputException("ngspice is not on PATH (Debian: apt-get install ngspice)");
        File.WriteAllText(Path.Combine(folder, name + ".cir"), Deck(netlist, name, maxStepSeconds));
        string data = Path.Combine(folder, name + ".dat"), log = Path.Combine(folder, name + ".log");
        File.Delete(data);
        var start = new ProcessStartInfo(executable) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-b", name + ".cir" }) start.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ngspice did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancel);
        var stderr = process.StandardError.ReadToEndAsync(cancel);
        using (cancel.Register(() => { try { process.Kill(); } catch (InvalidOperationException) { } }))
            if (!process.WaitForExit(timeout))
            {
                process.Kill();
                throw new TimeoutException($"ngspice ran past {timeout.TotalSeconds:F0} s on {name}.cir");
            }
        process.WaitForExit();
        cancel.ThrowIfCancellationRequested();
        string output = stdout.Result + stderr.Result;
        File.WriteAllText(log, output);
        if (process.ExitCode != 0 || !File.Exists(data))
        {
            string first = output.Split('\n').FirstOrDefault(l => l.Contains("rror", StringComparison.Ordinal))?.Trim() ?? $"exit code {process.ExitCode}";
            throw new InvalidOperationException($"ngspice failed on {name}.cir ({first}); its output is in {log}");
        }
        return Parse(File.ReadAllLines(data), netlist.StateNodes.Count, clock.Elapsed);
    }

    /// <summary>The table <c>wrdata</c> writes with one time column and named vectors: time, the states, parray.</summary>
    public static SpiceTrace Parse(string[] lines, int channels, TimeSpan elapsed)
    {
        var rows = lines.Skip(1).Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, NumberStyles.Float, Inv)).ToArray())
            .ToList();
        if (rows.Count < 2 || rows.Any(r => r.Length != channels + 2)) throw new InvalidOperationException($"ngspice wrote an unexpected table ({rows.Count} rows)");
        // ngspice can repeat a time point at a breakpoint; keep the last value at each time.
        var kept = new List<double[]>();
        foreach (var r in rows)
        {
            if (kept.Count > 0 && r[0] <= kept[^1][0]) kept[^1] = r;
            else kept.Add(r);
        }
        return new SpiceTrace(kept.Select(r => r[0]).ToArray(),
            Enumerable.Range(0, channels).Select(d => kept.Select(r => r[1 + d]).ToArray()).ToArray(),
            kept.Select(r => r[^1]).ToArray(), elapsed);
    }
}
