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
    /// The task as recorded in model metadata. A CSV or VAE path is written relative to the model's directory
    /// (<paramref name="modelPath"/>), so a model and its data can move together (as the shipped ones in models/ do); a file
    /// outside that directory is recorded by its full path, and runs will ask for it with --reference-data
    /// (<see cref="OutsideModelFolder"/>).
    /// </summary>
    public string MetadataNameFor(string modelPath)
    {
        if (!IsCsv && !IsLatent) return MetadataName;
        string full = Path.GetFullPath(IsCsv ? CsvPath! : VaePath!);
        string recorded = IsInside(full, ModelFolder(modelPath)) ? Path.GetRelativePath(ModelFolder(modelPath), full) : full;
        return (IsCsv ? "csv:" : LatentPrefix) + recorded;
    }

    public string MetadataName => IsCsv ? $"csv:{Path.GetFullPath(CsvPath!)}" : IsLatent ? LatentPrefix + Path.GetFullPath(VaePath!) : Name;

    /// <summary>A recorded task's relative CSV or VAE path, resolved against the model file it was read from.</summary>
    public static string ResolveRelativeTo(string recordedTask, string modelPath)
    {
        string? prefix = recordedTask.StartsWith(LatentPrefix, StringComparison.Ordinal) ? LatentPrefix
            : recordedTask.StartsWith("csv:", StringComparison.OrdinalIgnoreCase) ? recordedTask[..4] : null;
        if (prefix is null) return recordedTask;
        string path = recordedTask[prefix.Length..];
        if (path.Length == 0 || Path.IsPathRooted(path) || !File.Exists(modelPath)) return recordedTask;
        return prefix + Path.GetFullPath(Path.Combine(ModelFolder(modelPath), path));
    }

    /// <summary>
    /// The file a model's recorded task (<paramref name="resolvedTask"/>, after <see cref="ResolveRelativeTo"/>) would make
    /// memgrid read when it lies outside the model's folder — lexically, or through a symbolic link — else null. A model file
    /// is input like any other: its metadata must not make memgrid open /etc/passwd as reference data.
    /// </summary>
    public static string? OutsideModelFolder(string resolvedTask, string modelPath)
    {
        if (resolvedTask.Length == 0 || !File.Exists(modelPath)) return null;
        TaskSpec spec;
        try { spec = Parse(resolvedTask); }
        catch (UserInputException) { return null; }
        if (!spec.IsCsv && !spec.IsLatent) return null;
        string folder = ModelFolder(modelPath), path = Path.GetFullPath(spec.IsCsv ? spec.CsvPath! : spec.VaePath!, folder);
        if (!IsInside(path, folder)) return path;
        try
        {
            if (File.Exists(path) && new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true) is { } target && !IsInside(target.FullName, folder))
                return path;
        }
        catch (IOException) { return path; }
        return null;
    }

    private static string ModelFolder(string modelPath) => Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".";

    private static bool IsInside(string fullPath, string folder) =>
        fullPath.StartsWith(Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Training data: 10 000 points for the built-in tasks (the paper's size), the file for CSV, the scaled posterior means of the VAE's training images for a latent task.</summary>
    public Dataset LoadTraining(ulong seed, int builtInCount = 10_000) =>
        IsCsv ? CsvDataset.Load(CsvPath!)
        : IsLatent ? LatentTask.Load(VaePath!)
        : BuiltInTasks.Generate(Name, builtInCount, seed, stream: 0);

    /// <summary>
    /// Reference data for metrics: fresh draws (a stream training never uses), the CSV file, or for a
    /// latent task the same latents as training (the distribution the score model learns, as for a CSV).
    /// </summary>
    public Dataset LoadReference(ulong seed, int count) => PrepareReference(seed, count)();

    /// <summary>As <see cref="LoadReference"/>, with what can fail on the user's input done now and the slow part — encoding a
    /// latent task's tens of thousands of images — left to the returned function.</summary>
    public Func<Dataset> PrepareReference(ulong seed, int count)
    {
        if (IsLatent) return LatentTask.Prepare(VaePath!);
        var data = IsCsv ? CsvDataset.Load(CsvPath!) : BuiltInTasks.Generate(Name, count, seed, stream: 1);
        return () => data;
    }
}
