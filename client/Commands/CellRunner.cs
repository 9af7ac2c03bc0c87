using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Experiments;
using MemristorGrid.Engine.Latent;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Hosting;

namespace MemristorGrid.Client.Commands;

    /// <summary>Runs the unfinished cells, a few at once; each finished cell is saved before the next is counted.</summary>
internal sealed class CellRunner(SweepPlan plan, SweepStore store, ConcurrentDictionary<string, CellMetrics> results,
    IReadOnlyDictionary<SweepModel, Dataset?> references, IReadOnlyDictionary<SweepModel, ImageJudge?> judges, TextWriter output, int parallel, CancellationToken cancel)
{
    private readonly Lock _print = new();
    private readonly ConcurrentDictionary<string, double> _running = new();
    private int _finished;

    /// <summary>Called with every finished cell's full result (samples included), before it is summarised.</summary>
    public Action<SweepCell, AnalogRunResult>? OnResult { get; init; }

    /// <summary>Runs <paramref name="todo"/> where <paramref name="simulator"/>'s options say: the reference simulator, the embedded silo or a cluster.</summary>
    public async Task RunWhereAsync(AnalogSimulator simulator, ParseResult parse, IReadOnlyList<SweepCell> todo, string title)
    {
        string where = simulator.Where(parse);
        if (simulator.UsesReference(parse))
            await ConsoleProgress.RunAsync($"{title} (reference simulator)", progress => RunAsync(todo, (cell, p, ct) => Task.Run(() => cell.RunOnReferenceSimulator(p, ct), ct), progress),
                new ConsoleProgress.Work(todo.Count, "cells"));
        else
        {
            var placement = parse.GetValue(simulator.Cluster.Placement) == "chips" ? TilePlacementMode.Chips : TilePlacementMode.Local;
            await simulator.Cluster.WithClusterAsync(parse, grains => ConsoleProgress.RunAsync($"{title} on the {where}", progress => RunAsync(todo,
                (cell, p, ct) => ClusterJobRunner.RunAsync(grains, cell.Model.Bytes, cell.Model.Name, cell.Profile, cell.Options, cell.Count, cell.Labels, p,
                    jobId: $"sweep-{cell.Id}-{placement.ToString().ToLowerInvariant()}", placement: placement, cancel: ct), progress),
                new ConsoleProgress.Work(todo.Count, "cells")), cancel);
        }
    }

    public async Task RunAsync(IReadOnlyList<SweepCell> cells, Func<SweepCell, IProgress<double>, CancellationToken, Task<AnalogRunResult>> run, IProgress<double> progress)
    {
        void Report() => progress.Report((_finished + _running.Values.Sum()) / cells.Count);
        await Parallel.ForEachAsync(cells, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancel }, async (cell, ct) =>
        {
            var result = await run(cell, new Progress(v => { _running[cell.Id] = v; Report(); }), ct);
            OnResult?.Invoke(cell, result);
            var quality = references[cell.Model] is { } reference ? QualityReport.Compute(result.Samples, result.Labels, result.Dim, reference) : null;
            var images = judges[cell.Model] is { } judge && references[cell.Model] is { } latents ? judge.DecodeAndScore(result.Samples, result.Labels, latents) : null;
            var metrics = CellMetrics.From(result, quality, images);
            store.Save(cell, plan.Axes, metrics);
            results[cell.Id] = metrics;
            _running.TryRemove(cell.Id, out _);
            int n = Interlocked.Increment(ref _finished);
            Report();
            lock (_print) output.WriteLine(Line(cell, metrics, n, cells.Count));
        });
    }

    private string Line(SweepCell cell, CellMetrics m, int n, int total) => string.Create(CultureInfo.InvariantCulture,
        $"[{n}/{total}] {cell.Model.Name}{string.Concat(plan.Axes.Select((a, i) => $" {a.Name}={cell.Settings[i]}"))} chip {cell.Chip}: " +
        $"{(m.KlPaper is { } kl ? $"kl_paper {kl:F4}, " : "")}{(m.ClassAccuracy is { } acc ? $"class_accuracy {acc:F3}, " : "")}" +
        $"{(m.DecodedClassAccuracy is { } dacc ? $"decoded accuracy {dacc:F3}, FD {m.FrechetDistance:F3}, " : "")}{Units.Energy(m.EnergyPerSampleJoules)} per sample ({m.WallSeconds:F1} s)");

    private sealed class Progress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
