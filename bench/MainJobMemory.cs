using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace MemristorGrid.Bench;

/// <summary>
/// The README's main job (ring on rram-180nm) as a user runs it — the real <c>memgrid run</c> process — at growing
/// sample counts, on its embedded silo and on <c>--simulator reference</c>: peak RSS of the process (client and silo
/// together), its CPU and wall time, from <c>/usr/bin/time</c>; and whether both give the same samples.csv.
/// Target (issue 31): 10⁶ samples within 400 MB, memory that does not grow with the samples.
///   dotnet run -c Release --project bench -- memory [--samples 10000,100000,1000000]
/// </summary>
internal static class MainJobMemory
{
    public static async Task<int> RunAsync(string[] args)
    {
        string root = BenchRepo.Root();
        string memgrid = Path.Combine(root, "client", "bin", "Release", "net10.0", "memgrid.dll");
        if (!File.Exists(memgrid)) { Console.Error.WriteLine($"error: {memgrid} not found; run 'dotnet build client -c Release' first"); return 1; }
        if (!File.Exists("/usr/bin/time")) { Console.Error.WriteLine("error: /usr/bin/time not found (Debian package time)"); return 1; }
        var counts = BenchArgs.Ints(args, "--samples", [10_000, 100_000, 1_000_000]);
        Console.WriteLine($"memgrid run --model models/ring.onnx --profile rram-180nm, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine("| samples | simulator | peak RSS (MiB) | CPU (user + system) | wall | samples.csv |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (int n in counts)
        {
            string? first = null;
            foreach (string simulator in new[] { "embedded silo", "reference" })
            {
                string outDir = Path.Combine(Path.GetTempPath(), $"memgrid-memory-{Guid.NewGuid():N}");
                try
                {
                    string extra = simulator == "reference" ? " --simulator reference" : "";
                    var (rssKb, cpu, wall) = await TimeAsync(root, $"-f \"peak %M %U %S %e\" dotnet \"{memgrid}\" run --model models/ring.onnx --profile rram-180nm --samples {n}{extra} --out \"{outDir}\"");
                    string hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(outDir, "samples.csv"))))[..12];
                    string same = first is null ? hash : first == hash ? "the same" : $"DIFFERENT ({hash})";
                    first ??= hash;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {n:N0} | {simulator} | {rssKb / 1024.0:F0} | {cpu:F1} s | {wall:F1} s | {same} |"));
                }
                finally { if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true); }
            }
        }
        return 0;
    }

    private static async Task<(double RssKb, double Cpu, double Wall)> TimeAsync(string root, string args)
    {
        var info = new ProcessStartInfo("/usr/bin/time", args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        string error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        await output;
        if (p.ExitCode != 0) throw new InvalidOperationException($"memgrid exited {p.ExitCode}: {error}");
        var v = error.Split('\n').Last(l => l.StartsWith("peak ", StringComparison.Ordinal)).Split(' ')[1..].Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return (v[0], v[1] + v[2], v[3]);
    }
}
