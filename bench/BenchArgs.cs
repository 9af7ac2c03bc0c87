using System.Diagnostics;
using System.Globalization;

namespace MemristorGrid.Bench;

/// <summary>The benchmarks' command line: <c>--name value</c> pairs after the benchmark's name.</summary>
internal static class BenchArgs
{
    public static string? Text(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static string Text(string[] args, string name, string fallback) => Text(args, name) ?? fallback;

    public static int Int(string[] args, string name, int fallback) =>
        Text(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public static int[] Ints(string[] args, string name, int[] fallback) =>
        Text(args, name) is { } v ? v.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : fallback;
}

/// <summary>CPU seconds of the whole process (every thread, the GC's too) and wall seconds while work runs:
/// CPU time moves much less than wall time with the shared machine's load.</summary>
internal static class ProcessCpu
{
    public static (double Cpu, double Wall) Measure(Action work)
    {
        var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        work();
        process.Refresh();
        return ((process.TotalProcessorTime - before).TotalSeconds, watch.Elapsed.TotalSeconds);
    }
}
