using System.CommandLine;
using System.Globalization;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Graphs;
using MemristorGrid.Engine.Graphs.Analog;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Client.Commands;

/// <summary>
/// <c>memgrid run</c> on a general graph (a U-Net): designed and gain-staged here, integrated on the grain cluster (an embedded
/// silo, or the cluster --gateway/--redis name) or by the reference simulator in this process, then scored and written
/// like any run: samples.csv, report.json (time and energy per sample with their analog / controller /
/// digital split), images.png for an image model, samples.png.
/// </summary>
internal static class GraphRunner
{
    public static async Task<int> RunAsync(AnalogRunArguments a, AnalogSimulator simulator, ParseResult parse, CancellationToken cancel)
    {
        string modelPath = parse.GetValue(a.Model)!;
        var (info, bytes) = a.Schedule.LoadForDigital(parse, modelPath, parse.GetValue(a.ScheduleScale));
        var graph = (ScoreGraph)info;
        var profile = HardwareProfile.Resolve(parse.GetValue(a.Profile)!);
        var options = a.Options(parse) with { ScheduleScale = parse.GetValue(a.ScheduleScale) ?? graph.Metadata.SamplingScheduleScale };
        options = options with { ProgramSeed = parse.GetValue(a.ProgramSeed) ?? options.Seed };
        int[] labels = LabelEncoder.LabelsFor(graph, parse.GetValue(a.Labels), parse.GetValue(a.Samples));
        int count = labels.Length > 0 ? labels.Length : parse.GetValue(a.Samples);
        MemoryBudget.RequireSamples(count, graph.InputDim, "samples");
        var error = parse.InvocationConfiguration.Error;
        var reference = ReferenceResolver.Resolve(parse.GetValue(a.ReferenceData), graph.Metadata, options.Seed, Math.Max(count, 10_000), m => error.WriteLine(m));
        string outDir = parse.GetValue(a.Output)!;
        using var claim = RunOutputs.ClaimDirectory(outDir);
        await using var where = simulator.Open(parse);

        // The loop is designed first (its RC, and the TIA settling it derives), then the machine is programmed with the designed
        // profile and gain-staged from probe trajectories: a cluster's silos receive both and program exactly this machine.
        var progress = ConsoleWorkProgress.Instance;
        GraphLoopDesign design;
        using (var ort = new Engine.Digital.OnnxRuntimeScoreModel(bytes, graph))
            design = await progress.RunAsync("probing the loop's gain", 1, "", _ => Task.FromResult(GraphLoopDesign.Design(graph, GraphPlan.Create(graph, profile.Mapping), profile, options, ort)));
        var machine = await progress.RunAsync($"gain staging {profile.Name} for a general graph", 1, "", _ => Task.FromResult(new AnalogGraph(graph, design.Profile, options.ProgramSeed,
            SignalRanges.Probe(graph, options.ScheduleScale, options.StartTime, options.EndTime))));
        string label = $"analog run on {machine.Plan.Tiles.Count} tiles ({where.Description})";
        var result = where is Hosting.ClusterMachine cluster
            ? await progress.RunAsync(label, count, "samples", p => cluster.RunGraphAsync(bytes, Path.GetFileName(modelPath), machine, design, options, count, labels, p, cancel))
            : await progress.RunAsync(label, count, "samples", p => Task.Run(() => GraphSimulator.Run(machine, design, options, count, labels, options.LaneSize, 0, p, cancel), cancel));
        var quality = reference is { } r ? QualityReport.Compute(result.Samples, labels, result.Dim, r.Data) : null;
        var decoded = ImageDecoding.DecodeAndScore(ImageDecoding.JudgeOf(graph.Metadata), result.Samples, labels, reference?.Data);
        var images = decoded is null ? null : RunReportBuilder.Images(decoded);
        var costs = GraphCosts.Of(machine, result, count);
        var report = GraphRunReport.Build(where.Name, Path.GetFullPath(modelPath), machine, result, costs, options, reference?.Name, quality, images);

        string title = $"{Path.GetFileName(modelPath)} — analog {report.Sampler} on {profile.Name}";
        RunOutputs.WriteSamples(outDir, result.Samples, result.Dim, labels, graph.ClassNames);
        RunOutputs.WriteText(outDir, "report.json", ReportJson.Serialize(report));
        if (decoded is not null) LatentImages.Write(outDir, title, decoded, labels);
        RunOutputs.WritePng(outDir, "samples.png", ScatterPlot.Render(title, result.Samples, labels, reference?.Data.X ?? [], result.Dim, graph.ClassNames, reference?.Data.Labels));
        var o = parse.InvocationConfiguration.Output;
        o.WriteLine(Summary(report, images, where.Description));
        o.WriteLine($"wrote {Path.Combine(outDir, "samples.csv")}, report.json, samples.png{(decoded is not null ? ", images.png" : "")}");
        return 0;
    }

    private static string Summary(GraphRunReport r, ImagesSection? images, string where)
    {
        static string T(double s) => s >= 1 ? $"{s:G4} s" : s >= 1e-3 ? $"{s * 1e3:G4} ms" : $"{s * 1e6:G4} µs";
        static string E(double j) => j >= 1e-3 ? $"{j * 1e3:G4} mJ" : j >= 1e-6 ? $"{j * 1e6:G4} µJ" : $"{j * 1e9:G4} nJ";
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{r.Samples} samples on {r.Profile} ({r.Tiles} tiles, {r.Chips} chips; {where}) in {r.WallSeconds:F2} s wall; {r.NetworkEvaluations} lane network evaluations"),
            string.Create(CultureInfo.InvariantCulture, $"simulated: {T(r.TimePerSampleSeconds)} and {E(r.EnergyPerSampleJoules)} per sample; energy {r.EnergyShares.Analog:P1} analog, {r.EnergyShares.Controller:P1} controller, {r.EnergyShares.Digital:P1} digital"),
            string.Create(CultureInfo.InvariantCulture, $"loop: RC {T(r.RcSeconds)} ({r.RcReason}); one traversal {T(r.LoopDelaySeconds)} = analog {T(r.LoopDelaySplitSeconds.Analog)} + conversions and hops {T(r.LoopDelaySplitSeconds.Conversions)} + digital unit {T(r.LoopDelaySplitSeconds.Digital)}; gain up to {r.LoopGainMax:G3} at τ {r.LoopGainMaxTau:G3}"),
        };
        if (r.KlPaper is { } kl) lines.Add(PerClassQuality.Headline(kl, r.Kl2D, r.EnergyDistance, null));
        if (r.ModeCoverage is { } modes) lines.Add(PerClassQuality.Modes(modes));
        if (images is not null) lines.Add(LatentImages.Summary(images));
        return string.Join('\n', lines);
    }
}
