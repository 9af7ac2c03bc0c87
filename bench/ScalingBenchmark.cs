using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace MemristorGrid.Bench;

/// <summary>
/// The scale-out load generator: a real redis-server and N silo processes (silo/), each pinned to its
/// own core with taskset, run one large job per configuration; 1 and N silos are interleaved and
/// repeated, and the throughput and scaling efficiency are printed with min/median/max. On the same
/// silos it then runs a design-space sweep with the real CLI (<c>memgrid sweep --redis</c>, a fresh
/// output directory each time, so no cell is kept) and reports cells/s the same way.
///   dotnet build silo -c Release && dotnet build client -c Release && dotnet run -c Release --project bench -- scale
///       [--silos 2] [--repeats 3] [--samples 20000] [--model models/fashion.onnx] [--profile ideal] [--placement local|chips]
///       [--sweep-samples 40000] (0 = no sweep) [--client-core none|K]
/// </summary>
internal static class ScalingBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Text(args, name, fallback);
        string root = BenchRepo.Root();
        int maxSilos = int.Parse(Arg("--silos", "2"), CultureInfo.InvariantCulture), repeats = int.Parse(Arg("--repeats", "3"), CultureInfo.InvariantCulture);
        int samples = int.Parse(Arg("--samples", "20000"), CultureInfo.InvariantCulture);
        string model = Path.GetFullPath(Arg("--model", Path.Combine(root, "models", "fashion.onnx")));
        var profile = HardwareProfile.Resolve(Arg("--profile", "ideal"));
        var placement = Arg("--placement", "local") == "chips" ? GrainInterfaces.TilePlacementMode.Chips : GrainInterfaces.TilePlacementMode.Local;
        string silo = Path.Combine(root, "silo", "bin", "Release", "net10.0", "MemristorGrid.Silo.dll");
        if (!File.Exists(silo)) { Console.Error.WriteLine($"error: {silo} not found; run 'dotnet build silo -c Release' first"); return 1; }
        if (!OnPath("redis-server")) { Console.Error.WriteLine("error: redis-server not found on PATH; install it (sudo apt-get install -y redis-server)"); return 1; }
        int sweepSamples = int.Parse(Arg("--sweep-samples", "40000"), CultureInfo.InvariantCulture);
        string memgrid = Path.Combine(root, "client", "bin", "Release", "net10.0", "memgrid.dll");
        if (sweepSamples > 0 && !File.Exists(memgrid)) { Console.Error.WriteLine($"error: {memgrid} not found; run 'dotnet build client -c Release' first (or --sweep-samples 0)"); return 1; }
        Sweep = sweepSamples > 0 ? new SweepWorkload(memgrid, Path.Combine(root, "models", "ring.onnx"), sweepSamples) : null;
        if (Environment.ProcessorCount < maxSilos) Console.Error.WriteLine($"warning: {Environment.ProcessorCount} cores for {maxSilos} pinned silos");
        // --client-core K runs the client side (this process, the sweep CLI, redis-server) on core K in every
        // configuration, so one silo does not get a spare core for it that N silos would not. Measured: it
        // made no difference to the efficiency on the 2-core VM (both were within the run-to-run spread),
        // so by default they are left to the scheduler.
        string clientCore = Arg("--client-core", "none");
        ClientAffinity = clientCore == "none" ? null : $"-c {int.Parse(clientCore, CultureInfo.InvariantCulture)}";
        if (ClientAffinity is not null && OperatingSystem.IsLinux()) Process.GetCurrentProcess().ProcessorAffinity = (IntPtr)(1L << int.Parse(clientCore, CultureInfo.InvariantCulture));

        byte[] bytes = File.ReadAllBytes(model);
        var net = OnnxImporter.FromBytes(bytes, model);
        var options = new AnalogRunOptions
        {
            ScheduleScale = net.Metadata.SamplingScheduleScale,
            Seed = 11,
            LaneSize = int.Parse(Arg("--lane-size", "0"), CultureInfo.InvariantCulture),
        };
        Console.WriteLine($"{Path.GetFileName(model)} on {profile.Name}, {samples} samples, placement {placement.ToString().ToLowerInvariant()}, {repeats} repeats; silo i pinned to core i; client, CLI and redis-server {(ClientAffinity is null ? "not pinned" : $"pinned to core {clientCore}")}");

        if (Sweep is { } sw) Console.WriteLine($"sweep: {sw.Describe()}");
        var rates = new Dictionary<int, List<double>>();
        var cpu = new Dictionary<int, List<double>>();
        var sweepRates = new Dictionary<int, List<double>>();
        var sweepCellRates = new Dictionary<int, List<double>>();
        var sweepCpu = new Dictionary<int, List<double>>();
        string? firstSweep = null;
        float[]? first = null;
        for (int r = 0; r < repeats; r++)
            foreach (int silos in new[] { 1, maxSilos })
            {
                var (job, sweep) = await OneRunAsync(silo, silos, bytes, Path.GetFileName(model), profile, options, samples, placement);
                first ??= job.Samples;
                if (!first.AsSpan().SequenceEqual(job.Samples)) { Console.Error.WriteLine("error: samples differ between runs"); return 1; }
                Add(rates, silos, job.Rate);
                Add(cpu, silos, job.CpuSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  repeat {r + 1}: {silos} silo(s)  {job.Rate,7:F2} samples/s  silo CPU {job.CpuSeconds,6:F1} s"));
                if (sweep is { } done)
                {
                    firstSweep ??= done.Csv;
                    if (firstSweep != done.Csv) { Console.Error.WriteLine("error: sweep.csv differs between runs"); return 1; }
                    Add(sweepRates, silos, done.Rate);
                    Add(sweepCellRates, silos, done.CellsRate);
                    Add(sweepCpu, silos, done.CpuSeconds);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"             sweep  {done.Rate,7:F3} cells/s ({done.CellsRate:F3} while cells ran)  silo CPU {done.CpuSeconds,6:F1} s  [{done.Phases}]"));
                }
            }
        Console.WriteLine();
        Table("samples/s", rates, cpu, maxSilos);
        Console.WriteLine("samples identical in every run");
        if (sweepRates.Count > 0)
        {
            Console.WriteLine();
            Table("sweep cells/s, whole command", sweepRates, sweepCpu, maxSilos);
            Console.WriteLine();
            Table("sweep cells/s while cells ran", sweepCellRates, sweepCpu, maxSilos);
            Console.WriteLine("sweep.csv identical in every run");
        }
        return 0;
    }

    private static SweepWorkload? Sweep;

    /// <summary>taskset's core list for the client-side processes, or null when they are not pinned.</summary>
    private static string? ClientAffinity;

    private static (string File, string Args) Pinned(string file, string args) => ClientAffinity is { } cores ? ("taskset", $"{cores} {file} {args}") : (file, args);

    private static void Add(Dictionary<int, List<double>> table, int silos, double value) => (table.TryGetValue(silos, out var l) ? l : table[silos] = []).Add(value);

    private static string Mmm(IEnumerable<double> v) => MinMedianMax.Of(v, "F3");

    private static void Table(string what, Dictionary<int, List<double>> rates, Dictionary<int, List<double>> cpu, int maxSilos)
    {
        var efficiency = rates[maxSilos].Zip(rates[1], (n, one) => n / one / maxSilos).ToList();
        Console.WriteLine($"| silos | {what} (min / median / max) | silo CPU s per run |");
        Console.WriteLine("|---|---|---|");
        foreach (var (silos, list) in rates) Console.WriteLine($"| {silos} | {Mmm(list)} | {Mmm(cpu[silos])} |");
        Console.WriteLine($"| efficiency 1 → {maxSilos} (per repeat) | {Mmm(efficiency)} | |");
    }

    /// <summary>The sweep the benchmark runs through the CLI: ring on rram-180nm, read noise × 3 values, 2 chips.</summary>
    private sealed record SweepWorkload(string Memgrid, string Model, int Samples)
    {
        public const int Cells = 6;

        public string Describe() => $"ring.onnx on rram-180nm, device.read_noise_sigma=0,0.01,0.02 × 2 chips = {Cells} cells of {Samples} samples (memgrid sweep --redis, --parallel 2)";

        /// <summary>Runs the sweep; Rate is cells per second of the whole command, CellsRate per second from the
        /// command's first line (settings checked, cluster about to be joined) to its last finished cell.</summary>
        public async Task<(double Rate, double CellsRate, double CpuSeconds, string Csv, string Phases)> RunAsync(string redis, string clusterId, IReadOnlyList<Process> silos)
        {
            string outDir = Path.Combine(Path.GetTempPath(), $"memgrid-scale-sweep-{Guid.NewGuid():N}");
            double cpuBefore = silos.Sum(p => p.TotalProcessorTime.TotalSeconds);
            var watch = Stopwatch.StartNew();
            var lines = new System.Collections.Concurrent.ConcurrentQueue<(double At, string Line)>();
            // /usr/bin/time prints the command's own CPU (user, system) last: the client is not pinned and shares the cores.
            var (file, args) = Pinned("/usr/bin/time", $"-f \"client-cpu %U %S\" dotnet \"{Memgrid}\" sweep --model \"{Model}\" --profile rram-180nm --set device.read_noise_sigma=0,0.01,0.02 --chips 2 --samples {Samples} --parallel 2 --redis {redis} --out \"{outDir}\"");
            var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.Environment["MEMGRID_CLUSTER_ID"] = clusterId;
            using var cli = Process.Start(info)!;
            cli.OutputDataReceived += (_, e) => { if (e.Data is { } line) lines.Enqueue((watch.Elapsed.TotalSeconds, line)); };
            cli.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lines.Enqueue((watch.Elapsed.TotalSeconds, line)); };
            cli.BeginOutputReadLine();
            cli.BeginErrorReadLine();
            await cli.WaitForExitAsync();
            double seconds = watch.Elapsed.TotalSeconds;
            double cpuSeconds = silos.Sum(p => p.TotalProcessorTime.TotalSeconds) - cpuBefore;
            if (cli.ExitCode != 0) throw new InvalidOperationException($"memgrid sweep exited {cli.ExitCode}: {string.Join("\n", lines.Select(l => l.Line))}");
            double announced = lines.First(l => l.Line.StartsWith("sweep ", StringComparison.Ordinal)).At;
            double lastCell = lines.Last(l => l.Line.StartsWith('[')).At;
            string csv = File.ReadAllText(Path.Combine(outDir, "sweep.csv"));
            Directory.Delete(outDir, recursive: true);
            var clientCpu = lines.Last(l => l.Line.StartsWith("client-cpu ", StringComparison.Ordinal)).Line.Split(' ')[1..].Sum(v => double.Parse(v, CultureInfo.InvariantCulture));
            string phases = string.Create(CultureInfo.InvariantCulture, $"start-up {announced:F1} s, cells {lastCell - announced:F1} s, report and exit {seconds - lastCell:F1} s; client CPU {clientCpu:F1} s");
            return (Cells / seconds, Cells / (lastCell - announced), cpuSeconds, csv, phases);
        }
    }

    private static async Task<((double Rate, double CpuSeconds, float[] Samples) Job, (double Rate, double CellsRate, double CpuSeconds, string Csv, string Phases)? Sweep)> OneRunAsync(string siloDll, int silos, byte[] model, string modelName,
        HardwareProfile profile, AnalogRunOptions options, int samples, GrainInterfaces.TilePlacementMode placement)
    {
        string clusterId = $"scale-{Guid.NewGuid():N}";
        // A fresh redis-server per run: grain state (finished jobs) outlives a cluster in its store, and a
        // sweep cell whose job is already finished there would be returned without being computed.
        int redisPort = EmbeddedCluster.FreePort();
        var (redisFile, redisArgs) = Pinned("redis-server", $"--port {redisPort} --bind 127.0.0.1 --save \"\" --appendonly no");
        using var redisServer = Start(redisFile, redisArgs, null);
        using var stopRedis = new Stop(redisServer);
        await WaitAsync(() => CanConnect(redisPort), "redis-server");
        string redis = $"127.0.0.1:{redisPort}";
        var processes = new List<Process>();
        try
        {
            var health = new List<int>();
            for (int i = 0; i < silos; i++)
            {
                int[] ports = EmbeddedCluster.FreePorts(3);
                health.Add(ports[2]);
                processes.Add(Start("taskset", $"-c {i} dotnet \"{siloDll}\" --redis {redis} --port {ports[0]} --gateway-port {ports[1]} --health-port {ports[2]}",
                    new Dictionary<string, string> { ["MEMGRID_CLUSTER_ID"] = clusterId }));
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            for (int i = 0; i < silos; i++)
            {
                var process = processes[i];
                int port = health[i];
                await WaitAsync(async () => process.HasExited ? throw new InvalidOperationException($"silo {i} exited: {string.Join("\n", Logs[process])}") : await ReadyAsync(http, port),
                    $"silo {i} (health port {port}; it printed: {string.Join(" | ", Logs[process])})");
            }
            using var client = ClientHost.Build(new ClusterSettings { Redis = redis, ClusterId = clusterId });
            await client.StartAsync();
            var grains = client.Services.GetRequiredService<IClusterClient>();
            // Warm-up, not measured: lanes on every silo (lane k runs on silo k mod N), long enough for the
            // runtime to compile the hot loops at full optimisation; it programs every silo's tiles.
            await ClusterJobRunner.RunAsync(grains, model, modelName, profile, options with { Seed = 99, LaneSize = 4 }, 4 * 4 * silos, [], placement: placement);
            double cpuBefore = processes.Sum(p => p.TotalProcessorTime.TotalSeconds);
            var watch = Stopwatch.StartNew();
            var result = await ClusterJobRunner.RunAsync(grains, model, modelName, profile, options, samples, [], placement: placement);
            double seconds = watch.Elapsed.TotalSeconds;
            double cpuSeconds = processes.Sum(p => p.TotalProcessorTime.TotalSeconds) - cpuBefore;
            Console.WriteLine("    CPU of each silo since it started (s): " + string.Join(", ", processes.Select(p => p.TotalProcessorTime.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture))));
            await client.StopAsync();
            var sweep = Sweep is { } workload ? await workload.RunAsync(redis, clusterId, processes) : ((double, double, double, string, string)?)null;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    redis-server CPU over the run: {redisServer.TotalProcessorTime.TotalSeconds:F1} s"));
            return ((samples / seconds, cpuSeconds, result.Samples), sweep);
        }
        finally
        {
            foreach (var p in processes) { try { p.Kill(entireProcessTree: true); p.WaitForExit(); } catch (InvalidOperationException) { } p.Dispose(); }
        }
    }

    private sealed class Stop(Process process) : IDisposable
    {
        public void Dispose() { try { process.Kill(); process.WaitForExit(); } catch (InvalidOperationException) { } }
    }

    private static Process Start(string file, string args, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var p = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Logs[p] = log;
        void Keep(string? line) { if (line is null) return; log.Enqueue(line); while (log.Count > 20) log.TryDequeue(out _); }
        p.OutputDataReceived += (_, e) => Keep(e.Data);
        p.ErrorDataReceived += (_, e) => Keep(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Process, System.Collections.Concurrent.ConcurrentQueue<string>> Logs = new();

    private static async Task<bool> ReadyAsync(HttpClient http, int port)
    {
        try { return (await http.GetAsync($"http://127.0.0.1:{port}/ready")).IsSuccessStatusCode; }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
    }

    private static Task WaitAsync(Func<bool> condition, string what) => WaitAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); !await condition(); await Task.Delay(100))
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not come up within 60 s");
    }

    private static bool CanConnect(int port)
    {
        try { using var c = new TcpClient(); c.Connect(IPAddress.Loopback, port); return true; }
        catch (SocketException) { return false; }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, program)));

}
