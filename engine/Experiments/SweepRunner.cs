using System.Collections.Concurrent;
using System.Globalization;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Engine.Experiments;

/// <summary>A sweep's cells as they stand after a run: every cell's metrics, and which were kept from an earlier run.</summary>
public sealed record SweepResults(IReadOnlyDictionary<string, CellMetrics> Cells, IReadOnlySet<string> Kept);

/// <summary>
/// Runs a plan's cells through the <see cref="RunPipeline"/>, a few at once: cells already in the directory's
/// <see cref="SweepStore"/> are kept, each finished cell is scored (a latent model's samples decoded by the engine's
/// decoder, the same numbers on every machine) and saved before the next is counted, and a line per cell goes to
/// <paramref name="log"/>.
/// </summary>
public sealed class SweepRunner(RunPipeline pipeline, IWorkProgress progress, Action<string> log, int parallel)
{
    private readonly Lock _log = new();

    /// <summary>Called with every finished cell's full outcome (samples, images and report), before it is summarised.</summary>
    public Action<SweepCell, RunOutcome>? OnResult { get; init; }

    /// <summary>Called before any cell runs with the counts of kept cells and of cells to run.</summary>
    public Action<int, int>? OnStart { get; init; }

    /// <summary>Cells to run again although kept (their result is needed, not only their metrics).</summary>
    public Func<SweepCell, bool>? RunAgain { get; init; }

    public async Task<SweepResults> RunAsync(SweepPlan plan, string dir, IReadOnlyDictionary<SweepModel, ReferenceSet?> references, string title, CancellationToken cancel)
    {
        var store = new SweepStore(dir);
        var results = new ConcurrentDictionary<string, CellMetrics>();
        foreach (var cell in plan.Cells)
            if (store.TryLoad(cell) is { } done) results[cell.Id] = done;
        var kept = results.Keys.ToHashSet();
        var todo = plan.Cells.Where(c => !kept.Contains(c.Id) || RunAgain?.Invoke(c) == true).DistinctBy(c => c.Id).ToList();
        OnStart?.Invoke(kept.Count(id => !todo.Any(c => c.Id == id)), todo.Count);
        if (todo.Count == 0) return new SweepResults(results, kept);
        var running = new ConcurrentDictionary<string, double>();
        int finished = 0;
        await progress.RunAsync($"{title} on the {pipeline.Machine.Description}", todo.Count, "cells", async bar =>
        {
            void Report() => bar.Report((finished + running.Values.Sum()) / todo.Count);
            await Parallel.ForEachAsync(todo, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancel }, async (cell, ct) =>
            {
                var outcome = await pipeline.RunAsync(cell.Request(references[cell.Model]), new Progress(v => { running[cell.Id] = v; Report(); }), ct);
                OnResult?.Invoke(cell, outcome);
                // The energy lines alone (the whole report would program the chip again for its programming section).
                var request = outcome.Request;
                var lines = Accounting.EnergyLines.Of(request.Profile, Partitioning.DeploymentPlan.Create(request.Network, request.Profile.Mapping), request.Options, outcome.Result, request.LoopDesign);
                var metrics = CellMetrics.From(outcome.Result, outcome.Quality, outcome.Images?.Quality, lines);
                store.Save(cell, plan.Axes, metrics);
                results[cell.Id] = metrics;
                running.TryRemove(cell.Id, out _);
                int n = Interlocked.Increment(ref finished);
                Report();
                lock (_log) log(Line(plan, cell, metrics, n, todo.Count));
            });
            return true;
        });
        kept.ExceptWith(todo.Select(c => c.Id));
        return new SweepResults(results, kept);
    }

    private static string Line(SweepPlan plan, SweepCell cell, CellMetrics m, int n, int total) => string.Create(CultureInfo.InvariantCulture,
        $"[{n}/{total}] {cell.Model.Name}{string.Concat(plan.Axes.Select((a, i) => $" {a.Name}={cell.Settings[i]}"))} chip {cell.Chip}: " +
        $"{(m.KlPaper is { } kl ? $"kl_paper {kl:F4}, " : "")}{(m.ClassAccuracy is { } acc ? $"class_accuracy {acc:F3}, " : "")}" +
        $"{(m.DecodedClassAccuracy is { } dacc ? $"decoded accuracy {dacc:F3}, FD {m.FrechetDistance:F3}, " : "")}{Units.Energy(m.EnergyPerSampleJoules)} per sample ({m.WallSeconds:F1} s)");

    private sealed class Progress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
