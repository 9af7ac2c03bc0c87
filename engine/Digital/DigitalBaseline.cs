using System.Diagnostics;
using System.Globalization;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Engine.Digital;

/// <summary>
/// The digital baseline measured as <c>compare</c> and <c>reproduce</c> report it: ONNX Runtime in the
/// paper's Euler loop, timed in CPU time (wall time moves with the machine's load) twice — all samples in
/// one batch (throughput) and samples one at a time (latency, like the analog loop's) — and charged to
/// the package energy counter when the machine has one, else to a named <see cref="DigitalPlatform"/>.
/// </summary>
/// <param name="CpuSeconds">The batch's CPU time: the least over the rounds (<see cref="Least"/>).</param>
/// <param name="LatencySeconds">CPU time of one sample alone: the least over the rounds.</param>
public sealed record DigitalBaseline(
    SamplingResult Batch, double CpuSeconds, string CpuClockName, double LatencySeconds, double LatencyWallSeconds, int LatencySamples,
    double FlopsPerSample, DigitalPlatform Platform, bool Rapl, double EnergyPerSampleJoules, double EnergyPerSampleBatchedJoules)
{
    /// <summary>Each round's batch CPU time and one-at-a-time CPU time per sample, in the order they ran (batch, then alone, per round).</summary>
    public IReadOnlyList<double> BatchCpuSecondsPerRound { get; init; } = [];
    public IReadOnlyList<double> LatencySecondsPerRound { get; init; } = [];

    /// <summary>Each round's CPU time of <see cref="MachineProbe"/>: the same fixed work every time, so a machine that has become
    /// slower (a shared VM's CPU halving for minutes, which the load average does not show) is seen beside the figures it moved.</summary>
    public IReadOnlyList<double> ProbeSecondsPerRound { get; init; } = [];

    /// <summary>Sampler steps per sample.</summary>
    public int Steps { get; init; }

    /// <summary>Batched CPU time per sample and step: what the paper's 3 ms per 5 000-step sample (600 ns) compares with.</summary>
    public double ThroughputSecondsPerStep => Steps > 0 ? ThroughputSeconds / Steps : double.NaN;

    private const string RaplCounter = "/sys/class/powercap/intel-rapl:0/energy_uj";

    public double ThroughputSeconds => CpuSeconds / (Batch.Samples.Length / Batch.Dim);

    /// <summary>Digital / analog time, one sample at a time on each side (the headline) and batched.</summary>
    public double SpeedUp(double analogSeconds) => LatencySeconds / analogSeconds;
    public double SpeedUpBatched(double analogSeconds) => ThroughputSeconds / analogSeconds;

    /// <summary>Digital / analog energy per sample, one at a time (the headline) and batched.</summary>
    public double EnergyRatio(double analogJoules) => EnergyPerSampleJoules / analogJoules;
    public double EnergyRatioBatched(double analogJoules) => EnergyPerSampleBatchedJoules / analogJoules;

    public string EnergySource => Rapl
        ? $"package energy counter ({RaplCounter}) over each run"
        : Platform.IsTimedHere
            ? string.Create(CultureInfo.InvariantCulture, $"platform {Platform.Name} ({Platform.Description}): CPU time per sample × {Units.Power(Platform.Watts)}; {Platform.Source}")
            : string.Create(CultureInfo.InvariantCulture, $"platform {Platform.Name} ({Platform.Description}): {FlopsPerSample:G3} FLOP per sample at {Platform.Utilisation:P0} of {Platform.PeakFlops:G3} FLOP/s × {Units.Power(Platform.Watts)}; {Platform.Source}");

    /// <summary>Runs the batch (again, until a second of CPU time has passed), then samples one at a time until <paramref name="latencyMin"/> are done and at least a second of
    /// CPU time has passed (the kernel counts CPU time in scheduler ticks, so a shorter measurement would be coarse); with
    /// <paramref name="rounds"/> &gt; 1 the pair is repeated, batch and alone interleaved, and the rounds are combined by <see cref="Least"/>.
    /// The samples are the first round's (every round draws the same).</summary>
    public static DigitalBaseline Measure(OnnxRuntimeScoreModel ort, IScoreNetworkInfo network, int count, int[] labels, SamplerOptions options,
        int threads, int latencyMin, DigitalPlatform platform, IWorkProgress progress, CancellationToken cancel, int rounds = 1)
    {
        if (rounds < 1) throw new ArgumentOutOfRangeException(nameof(rounds));
        var measured = new List<DigitalBaseline>(rounds);
        for (int r = 0; r < rounds; r++)
            measured.Add(MeasureRound(ort, network, count, labels, options, threads, latencyMin, platform, progress, cancel, rounds > 1 ? $" (round {r + 1} of {rounds})" : ""));
        return Least(measured);
    }

    /// <summary>One round: the machine probe, the batch, then samples one at a time. A caller that spreads its rounds over
    /// minutes (as <c>reproduce</c> does) measures each with this and combines them with <see cref="Least"/>.</summary>
    public static DigitalBaseline MeasureRound(OnnxRuntimeScoreModel ort, IScoreNetworkInfo network, int count, int[] labels, SamplerOptions options,
        int threads, int latencyMin, DigitalPlatform platform, IWorkProgress progress, CancellationToken cancel, string roundTitle = "")
    {
        double probe = MachineProbe(CpuClockFor(threads));
        var round = MeasureOnce(ort, network, count, labels, options, threads, latencyMin, platform, progress, cancel, roundTitle);
        return round with
        {
            BatchCpuSecondsPerRound = [round.CpuSeconds], LatencySecondsPerRound = [round.LatencySeconds], ProbeSecondsPerRound = [probe], Steps = options.Steps,
        };
    }

    /// <summary>
    /// Rounds combined: each figure is the least over the rounds. Another tenant of the machine only ever adds CPU time to
    /// the same work — a busy neighbour on the core's caches or memory slowed ONNX Runtime here by up to 1.6× for 10–20 s at a
    /// time while the probe's dependent chain did not move — so the least of rounds taken at different moments is the closest to
    /// the work's own cost, where a median follows the neighbour whenever two of three rounds fall in one busy spell. The rounds'
    /// own figures stay in the per-round lists. The samples are the first round's.
    /// </summary>
    public static DigitalBaseline Least(IReadOnlyList<DigitalBaseline> rounds)
    {
        if (rounds.Count == 0) throw new ArgumentException("no rounds to combine", nameof(rounds));
        var first = rounds[0];
        double cpu = rounds.Min(m => m.CpuSeconds), latency = rounds.Min(m => m.LatencySeconds);
        bool rapl = rounds.All(m => m.Rapl);
        int count = first.Batch.Samples.Length / first.Batch.Dim;
        double energy = rapl ? rounds.Min(m => m.EnergyPerSampleJoules) : first.Platform.EnergyPerSample(latency, first.FlopsPerSample);
        double energyBatched = rapl ? rounds.Min(m => m.EnergyPerSampleBatchedJoules) : first.Platform.EnergyPerSample(cpu / count, first.FlopsPerSample);
        return first with
        {
            CpuSeconds = cpu, LatencySeconds = latency, LatencyWallSeconds = rounds.Min(m => m.LatencyWallSeconds), LatencySamples = rounds.Sum(m => m.LatencySamples),
            Rapl = rapl, EnergyPerSampleJoules = energy, EnergyPerSampleBatchedJoules = energyBatched,
            BatchCpuSecondsPerRound = rounds.SelectMany(m => m.BatchCpuSecondsPerRound).ToArray(),
            LatencySecondsPerRound = rounds.SelectMany(m => m.LatencySecondsPerRound).ToArray(),
            ProbeSecondsPerRound = rounds.SelectMany(m => m.ProbeSecondsPerRound).ToArray(),
        };
    }

    /// <summary>CPU seconds of a fixed chain of 50 million dependent multiply-adds (about 0.1 s): its time follows the core's
    /// speed and nothing else, so it tells one machine state from another.</summary>
    public static double MachineProbe(Func<double> cpuNow)
    {
        double before = cpuNow(), x = 1;
        for (int i = 0; i < 50_000_000; i++) x = x * 0.999999999 + 1e-9;
        double seconds = cpuNow() - before;
        _probeSink = x; // the chain's result is kept, so the loop cannot be removed
        return seconds;
    }

    private static double _probeSink;

    /// <summary>One ONNX Runtime thread runs on this thread: its own CPU clock is the work. More threads: the process's.</summary>
    private static Func<double> CpuClockFor(int threads) => threads == 1 ? CpuClock.ThreadSeconds : CpuClock.ProcessSeconds;

    private static DigitalBaseline MeasureOnce(OnnxRuntimeScoreModel ort, IScoreNetworkInfo network, int count, int[] labels, SamplerOptions options,
        int threads, int latencyMin, DigitalPlatform platform, IWorkProgress progress, CancellationToken cancel, string round)
    {
        // Synchronous work under the progress display: it runs on this thread, whose CPU clock is read.
        T Run<T>(string title, double total, string unit, Func<IProgress<double>, T> work) =>
            progress.RunAsync(title, total, unit, p => Task.FromResult(work(p))).GetAwaiter().GetResult();
        Func<double> cpuNow = CpuClockFor(threads);
        var sde = network.Metadata.CreateSde();
        long? raplBefore = ReadRapl();
        double cpuBefore = cpuNow();
        var batch = Run($"digital baseline × {options.Steps} steps{round}", count, "samples", p => DigitalSampler.Sample(ort, sde, count, labels, options, p, cancel));
        // A small batch (a quick run's) takes a fraction of a second, where one busy moment moves it by tens of per cent: the
        // same batch (same draws) is run again until a second of CPU time has passed, and the time is per batch.
        int batches = 1;
        while (cpuNow() - cpuBefore < 1)
        {
            DigitalSampler.Sample(ort, sde, count, labels, options, null, cancel);
            batches++;
        }
        double cpu = (cpuNow() - cpuBefore) / batches;
        long? raplAfter = ReadRapl();

        latencyMin = Math.Min(latencyMin, count);
        long? raplLatencyBefore = ReadRapl();
        double latencyCpuBefore = cpuNow();
        var wall = Stopwatch.StartNew();
        int done = Run($"digital latency: samples one at a time for ≥ 1 s of CPU{round}", 1, "s of CPU", p =>
        {
            var one = options with { BatchSize = 1 };
            int n = 0;
            do
            {
                DigitalSampler.Sample(ort, sde, 1, labels.AsSpan(0, labels.Length > 0 ? 1 : 0), one, null, cancel);
                n++;
                p.Report(Math.Min(1, cpuNow() - latencyCpuBefore));
            }
            while (n < count && (n < latencyMin || cpuNow() - latencyCpuBefore < 1));
            return n;
        });
        wall.Stop();
        double latency = (cpuNow() - latencyCpuBefore) / done;
        long? raplLatencyAfter = ReadRapl();

        bool rapl = raplBefore is { } b && raplAfter is { } a && a >= b && raplLatencyBefore is { } lb && raplLatencyAfter is { } la && la >= lb;
        double flops = DigitalPlatform.FlopsPerSample(network, options.Steps, options.GuidanceWeight != 0 && labels.Length > 0);
        double throughput = cpu / count;
        // One sample at a time is what the analog machine does: that pair is the headline.
        double energy = rapl ? (raplLatencyAfter!.Value - raplLatencyBefore!.Value) * 1e-6 / done : platform.EnergyPerSample(latency, flops);
        double energyBatched = rapl ? (raplAfter!.Value - raplBefore!.Value) * 1e-6 / ((double)count * batches) : platform.EnergyPerSample(throughput, flops);
        return new DigitalBaseline(batch, cpu, threads == 1 ? "thread" : "process", latency, wall.Elapsed.TotalSeconds / done, done, flops, platform, rapl, energy, energyBatched);
    }

    private static long? ReadRapl()
    {
        try { return File.Exists(RaplCounter) ? long.Parse(File.ReadAllText(RaplCounter).Trim(), CultureInfo.InvariantCulture) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }
}
