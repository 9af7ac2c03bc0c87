using System.CommandLine;
using System.Globalization;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Runs;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>The options of <c>memgrid baseline</c>.</summary>
internal sealed class BaselineArguments
{
    public readonly Option<string> Model = Required("--model", "Score network (.onnx).");
    public readonly Option<string> Output = Required("--out", "Output directory (samples.csv, report.json, samples.png).");
    public readonly Option<int> Samples = Make("--samples", "Samples to generate; per label for conditional models (3 labels × --samples 4000 = 12 000 samples).", 10_000).Positive();
    public readonly Option<int> Steps = Make("--steps", "Sampler steps from t = 1 to 1e-4 (the paper uses 10000 unconditional, 5000 conditional).", 1000).Positive();
    public readonly Option<string> Sampler = Make("--sampler", "ode (probability-flow Euler, the authors' default) or sde (Euler–Maruyama on the reverse SDE).", "ode");
    public readonly Option<string?> Labels = new Option<string?>("--labels") { Description = "Classes to generate, comma-separated names or indices (default: all classes of a conditional model)." };
    public readonly Option<float> Guidance = Make("--guidance", "Classifier-free guidance weight w: (1+w)·s(x,t,c) − w·s(x,t,∅).", 0f).NonNegative();
    public readonly Option<double?> ScheduleScale = Optional<double>("--schedule-scale", "β scale for sampling (default: the model's metadata).").PositiveIfSet();
    public readonly Option<ulong> Seed = Make<ulong>("--seed", "Seed of the prior and the sampler noise.", 1);
    public readonly Option<string?> Reference = ReferenceData.Create();
    public readonly Option<string?> DeprecatedReference = ReferenceData.Deprecated();
    public readonly Option<int> Batch = Make("--batch-size", "Samples per ONNX Runtime call.", 10_000).Positive();
    public readonly Option<int> Threads = Make("--threads", "ONNX Runtime intra-op threads.", 1).Positive();
    public readonly ScheduleOptions Schedule = new ScheduleOptions();

    public BaselineArguments() => Sampler.AcceptOnlyFromAmong("sde", "ode");

    public IEnumerable<Option> All() => [Model, Output, Samples, Steps, Sampler, Labels, Guidance, ScheduleScale, Seed, Reference, DeprecatedReference, Batch, Threads, .. Schedule.All()];
}

/// <summary><c>memgrid baseline</c>: the digital reference — ONNX Runtime inside the paper's fixed-step samplers.</summary>
internal static class BaselineCommand
{
    public static Command Create()
    {
        var a = new BaselineArguments();
        var command = new Command("baseline", "Sample the model digitally with ONNX Runtime (Euler–Maruyama or probability-flow Euler) and score the samples.\nExample: memgrid baseline --model models/ring.onnx --samples 10000 --out out/ring-digital");
        foreach (var o in a.All()) command.Options.Add(o);
        command.SetAction(async (parse, cancel) =>
        {
            string modelPath = parse.GetValue(a.Model)!;
            var (net, modelBytes) = a.Schedule.LoadForDigital(parse, modelPath, parse.GetValue(a.ScheduleScale));
            var options = new SamplerOptions
            {
                Kind = parse.GetValue(a.Sampler) == "ode" ? SamplerKind.Ode : SamplerKind.Sde, Steps = parse.GetValue(a.Steps), GuidanceWeight = parse.GetValue(a.Guidance),
                ScheduleScale = parse.GetValue(a.ScheduleScale) ?? net.Metadata.SamplingScheduleScale, BatchSize = parse.GetValue(a.Batch), Seed = parse.GetValue(a.Seed),
            };
            var request = DigitalRequest.Create(modelPath, modelBytes, net, options, parse.GetValue(a.Samples), parse.GetValue(a.Labels),
                ReferenceData.Value(parse, a.Reference, a.DeprecatedReference), parse.GetValue(a.Threads), CommandLine(parse), parse.InvocationConfiguration.Error.WriteLine);
            string outDir = parse.GetValue(a.Output)!;
            using var claim = RunOutputs.ClaimDirectory(outDir);
            var outcome = await DigitalRun.RunAsync(request, ConsoleWorkProgress.Instance, cancel);
            Write(outDir, outcome);
            parse.InvocationConfiguration.Output.WriteLine(Summary(outDir, outcome));
            return 0;
        });
        return command;
    }

    private static void Write(string outDir, DigitalOutcome outcome)
    {
        var (r, result, report) = (outcome.Request, outcome.Result, outcome.Report);
        string title = $"{Path.GetFileName(r.ModelPath)} — digital baseline ({report.Sampler}, {report.Steps} steps)";
        if (outcome.Images is { } images) LatentImages.Write(outDir, title, images, result.Labels);
        byte[] png = ScatterPlot.Render(title, result.Samples, result.Labels, r.Reference?.Data.X ?? [], result.Dim, r.Network.ClassNames, r.Reference?.Data.Labels);
        RunOutputs.WriteSamples(outDir, result.Samples, result.Dim, result.Labels, r.Network.ClassNames);
        RunOutputs.WriteText(outDir, "report.json", ReportJson.Serialize(report));
        RunOutputs.WritePng(outDir, "samples.png", png);
    }

    private static string Summary(string outDir, DigitalOutcome outcome)
    {
        var report = outcome.Report;
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"{RunWriter.SampleCount(report.Samples, outcome.Request.Labels)}, {report.Steps} steps ({report.Sampler}) in {report.WallSeconds:F2} s ({report.SecondsPerSample * 1e3:F4} ms/sample)"),
        };
        if (report.Images is null) lines.Add(PerClassQuality.Lines(report.PerClass).TrimEnd());
        lines.Add(PerClassQuality.Headline(report.KlPaper, report.Kl2D, report.EnergyDistance, report.ClassAccuracy));
        if (report.ModeCoverage is { } modes) lines.Add(PerClassQuality.Modes(modes));
        if (report.Images is { } images) lines.Add(LatentImages.Summary(images));
        lines.Add($"wrote {Path.Combine(outDir, "samples.csv")}, report.json, samples.png{(report.Images is not null ? ", images.png" : "")}");
        return string.Join('\n', lines.Where(l => l.Length > 0));
    }
}
