using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Onnx;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary><c>memgrid baseline</c>: the digital reference — ONNX Runtime inside the paper's fixed-step samplers.</summary>
internal static class BaselineCommand
{
    public static Command Create()
    {
        var model = Required("--model", "Score network (.onnx).");
        var output = Required("--out", "Output directory (samples.csv, report.json, samples.png).");
        var samples = Make("--samples", "Samples to generate; per label for conditional models (3 labels × --samples 4000 = 12 000 samples).", 10_000).Positive();
        var steps = Make("--steps", "Sampler steps from t = 1 to 1e-4 (the paper uses 10000 unconditional, 5000 conditional).", 1000).Positive();
        var sampler = Make("--sampler", "ode (probability-flow Euler, the authors' default) or sde (Euler–Maruyama on the reverse SDE).", "ode");
        sampler.AcceptOnlyFromAmong("sde", "ode");
        var labels = new Option<string?>("--labels") { Description = "Classes to generate, comma-separated names or indices (default: all classes of a conditional model)." };
        var guidance = Make("--guidance", "Classifier-free guidance weight w: (1+w)·s(x,t,c) − w·s(x,t,∅).", 0f).NonNegative();
        var scheduleScale = Optional<double>("--schedule-scale", "β scale for sampling (default: the model's metadata).").PositiveIfSet();
        var seed = Make<ulong>("--seed", "Seed of the prior and the sampler noise.", 1);
        var reference = ReferenceData.Create();
        var deprecatedReference = ReferenceData.Deprecated();
        var batch = Make("--batch-size", "Samples per ONNX Runtime call.", 10_000).Positive();
        var threads = Make("--threads", "ONNX Runtime intra-op threads.", 1).Positive();
        var schedule = new ScheduleOptions();

        var command = new Command("baseline", "Sample the model digitally with ONNX Runtime (Euler–Maruyama or probability-flow Euler) and score the samples.\nExample: memgrid baseline --model models/ring.onnx --samples 10000 --out out/ring-digital")
        {
            model, output, samples, steps, sampler, labels, guidance, scheduleScale, seed, reference, deprecatedReference, batch, threads,
        };
        foreach (var o in schedule.All()) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string modelPath = parse.GetValue(model)!;
            string outDir = parse.GetValue(output)!;
            var (_, net, modelBytes) = schedule.Load(parse, modelPath, parse.GetValue(scheduleScale));
            int perLabel = parse.GetValue(samples);
            MemoryBudget.RequireSamples((long)perLabel * Math.Max(1, net.ClassCount), net.InputDim, "samples");
            int[] intended = LabelEncoder.LabelsFor(net, parse.GetValue(labels), perLabel);
            int count = intended.Length > 0 ? intended.Length : perLabel;
            var options = new SamplerOptions
            {
                Kind = parse.GetValue(sampler) == "ode" ? SamplerKind.Ode : SamplerKind.Sde,
                Steps = parse.GetValue(steps),
                ScheduleScale = parse.GetValue(scheduleScale) ?? net.Metadata.SamplingScheduleScale,
                GuidanceWeight = parse.GetValue(guidance),
                BatchSize = parse.GetValue(batch),
                Seed = parse.GetValue(seed),
            };
            options.ValidateFor(net);
            var error = parse.InvocationConfiguration.Error;
            var refData = ReferenceResolver.Resolve(ReferenceData.Value(parse, reference, deprecatedReference), net.Metadata, options.Seed,
                Math.Max(count, 10_000), message => error.WriteLine(message));
            RunOutputs.PrepareDirectory(outDir);

            using var ort = new OnnxRuntimeScoreModel(modelBytes, net, parse.GetValue(threads));
            var result = ConsoleProgress.Run($"baseline {options.Kind.ToString().ToLowerInvariant()} × {options.Steps} steps", progress =>
                DigitalSampler.Sample(ort, net.Metadata.CreateSde(), count, intended, options, progress), new ConsoleProgress.Work(count, "samples"));

            QualityReport? quality = refData is { } r ? QualityReport.Compute(result.Samples, result.Labels, result.Dim, r.Data) : null;
            if (refData is null) error.WriteLine("warning: the model names no training task and no --reference-data was given; quality metrics are omitted");

            var report = new JsonObject
            {
                ["kind"] = "baseline",
                ["model"] = Path.GetFullPath(modelPath),
                ["runtime"] = "onnxruntime",
                ["sampler"] = options.Kind == SamplerKind.Ode ? "ode" : "sde",
                ["samples"] = count,
                ["steps"] = options.Steps,
                ["schedule_scale"] = options.ScheduleScale,
                ["guidance"] = options.GuidanceWeight,
                ["seed"] = options.Seed,
                ["reference"] = refData?.Name,
                ["kl_paper"] = quality?.KlPaper,
                ["kl_2d"] = quality?.Kl2D,
                ["energy_distance"] = quality?.EnergyDistance,
                ["wall_seconds"] = result.Wall.TotalSeconds,
                ["seconds_per_sample"] = result.Wall.TotalSeconds / count,
                ["score_evaluations"] = result.ScoreEvaluations,
            };
            if (intended.Length > 0)
            {
                report["labels"] = new JsonArray(intended.Distinct().Select(l => (JsonNode)net.ClassNames[l]).ToArray());
                if (quality?.ClassAccuracy is { } acc)
                {
                    report["class_accuracy"] = acc.Overall;
                    var perClass = new JsonObject();
                    foreach (var (name, value) in acc.PerClass) perClass[name] = value;
                    report["class_accuracy_per_class"] = perClass;
                }
            }

            PerClassQuality.AddTo(report, quality);
            var title = $"{Path.GetFileName(modelPath)} — digital baseline ({report["sampler"]}, {options.Steps} steps)";
            var images = LatentImages.DecodeAndScore(outDir, $"{title}: decoded latents", LatentImages.JudgeOf(net.Metadata), result.Samples, result.Labels, refData?.Data);
            if (images is not null) LatentImages.AddTo(report, images);
            byte[] png = ScatterPlot.Render($"{Path.GetFileName(modelPath)} — digital baseline ({report["sampler"]}, {options.Steps} steps)",
                result.Samples, result.Labels, refData?.Data.X ?? [], result.Dim, net.ClassNames);
            RunOutputs.WriteSamples(outDir, result.Samples, result.Dim, result.Labels, net.ClassNames);
            RunOutputs.WriteReport(outDir, report);
            RunOutputs.WritePng(outDir, "samples.png", png);

            var o = parse.InvocationConfiguration.Output;
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{RunCommand.SampleCount(count, intended)}, {options.Steps} steps ({report["sampler"]}) in {result.Wall.TotalSeconds:F2} s ({result.Wall.TotalSeconds / count * 1e3:F4} ms/sample)"));
            if (images is null) o.Write(PerClassQuality.Lines(quality));
            if (quality is not null)
            {
                string accuracy = quality.ClassAccuracy is { } a ? string.Create(CultureInfo.InvariantCulture, $"  class_accuracy {a.Overall:F4}") : "";
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"kl_paper {quality.KlPaper:F5}  kl_2d {quality.Kl2D:F4}  energy_distance {quality.EnergyDistance:F5}{accuracy}"));
            }
            if (images is not null) o.WriteLine(LatentImages.Summary(images));
            o.WriteLine($"wrote {Path.Combine(outDir, "samples.csv")}, report.json, samples.png{(images is not null ? ", images.png" : "")}");
            return 0;
        });
        return command;
    }
}
