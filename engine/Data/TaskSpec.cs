using MemristorGrid.Engine.Latent;

namespace MemristorGrid.Engine.Data;

/// <summary>
/// A training or reference task named on the command line: <c>ring</c>, <c>hku</c>, <c>gmm16</c>,
/// <c>csv:PATH</c> (a plain path ending in .csv is accepted too), or <c>latent:VAE.onnx</c> (the
/// latents of the images a VAE was trained on, divided by its latent scale: latent diffusion).
/// </summary>
public sealed record TaskSpec(string Name, string? CsvPath, string? VaePath = null)
{
    public const string LatentPrefix = "latent:";

    public static TaskSpec Parse(string text)
    {
        text = text.Trim();
        if (text.StartsWith("csv:", StringComparison.OrdinalIgnoreCase)) return new TaskSpec("csv", text[4..]);
        if (text.StartsWith(LatentPrefix, StringComparison.OrdinalIgnoreCase))
        {
            string path = text[LatentPrefix.Length..];
            if (path.Length == 0) throw new UserInputException("task latent: needs the VAE file, e.g. latent:models/digits3-vae.onnx");
            return new TaskSpec("latent", null, path);
        }
        if (text.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return new TaskSpec("csv", text);
        if (BuiltInTasks.Names.Contains(text)) return new TaskSpec(text, null);
        throw new UserInputException($"unknown task '{text}' (expected {string.Join(", ", BuiltInTasks.Names)}, csv:PATH or latent:VAE.onnx)");
    }

    public bool IsCsv => CsvPath is not null;
    public bool IsLatent => VaePath is not null;

    /// <summary>
    /// The task as recorded in model metadata. A CSV path is made absolute so it can be found again; a
    /// VAE path is written relative to the model's directory (<paramref name="modelPath"/>), so a model
    /// and its VAE can move together (as the shipped ones in models/ do).
    /// </summary>
    public string MetadataNameFor(string modelPath) => IsLatent
        ? LatentPrefix + Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", Path.GetFullPath(VaePath!))
        : MetadataName;

    public string MetadataName => IsCsv ? $"csv:{Path.GetFullPath(CsvPath!)}" : IsLatent ? LatentPrefix + Path.GetFullPath(VaePath!) : Name;

    /// <summary>A recorded latent task's relative VAE path, resolved against the model file it was read from.</summary>
    public static string ResolveRelativeTo(string recordedTask, string modelPath)
    {
        if (!recordedTask.StartsWith(LatentPrefix, StringComparison.Ordinal)) return recordedTask;
        string vae = recordedTask[LatentPrefix.Length..];
        if (Path.IsPathRooted(vae) || !File.Exists(modelPath)) return recordedTask;
        return LatentPrefix + Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", vae));
    }

    /// <summary>Training data: 10 000 points for the built-in tasks (the paper's size), the file for CSV, the scaled posterior means of the VAE's training images for a latent task.</summary>
    public Dataset LoadTraining(ulong seed, int builtInCount = 10_000) =>
        IsCsv ? CsvDataset.Load(CsvPath!)
        : IsLatent ? LatentTask.Load(VaePath!)
        : BuiltInTasks.Generate(Name, builtInCount, seed, stream: 0);

    /// <summary>
    /// Reference data for metrics: fresh draws (a stream training never uses), the CSV file, or for a
    /// latent task the same latents as training (the distribution the score model learns, as for a CSV).
    /// </summary>
    public Dataset LoadReference(ulong seed, int count) =>
        IsCsv ? CsvDataset.Load(CsvPath!)
        : IsLatent ? LatentTask.Load(VaePath!)
        : BuiltInTasks.Generate(Name, count, seed, stream: 1);
}
