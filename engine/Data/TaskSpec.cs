namespace MemristorGrid.Engine.Data;

/// <summary>
/// A training or reference task named on the command line: <c>ring</c>, <c>hku</c>, or
/// <c>csv:PATH</c> (a plain path ending in .csv is accepted too).
/// </summary>
public sealed record TaskSpec(string Name, string? CsvPath)
{
    public static TaskSpec Parse(string text)
    {
        text = text.Trim();
        if (text.StartsWith("csv:", StringComparison.OrdinalIgnoreCase)) return new TaskSpec("csv", text[4..]);
        if (text.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return new TaskSpec("csv", text);
        if (BuiltInTasks.Names.Contains(text)) return new TaskSpec(text, null);
        throw new UserInputException($"unknown task '{text}' (expected {string.Join(", ", BuiltInTasks.Names)} or csv:PATH)");
    }

    public bool IsCsv => CsvPath is not null;

    /// <summary>The task as recorded in model metadata (a CSV path made absolute so it can be found again).</summary>
    public string MetadataName => IsCsv ? $"csv:{Path.GetFullPath(CsvPath!)}" : Name;

    /// <summary>Training data: 10 000 points for the built-in tasks (the paper's size), the file for CSV.</summary>
    public Dataset LoadTraining(ulong seed, int builtInCount = 10_000) =>
        IsCsv ? CsvDataset.Load(CsvPath!) : BuiltInTasks.Generate(Name, builtInCount, seed, stream: 0);

    /// <summary>Reference data for metrics: fresh draws (a stream training never uses) or the CSV file.</summary>
    public Dataset LoadReference(ulong seed, int count) =>
        IsCsv ? CsvDataset.Load(CsvPath!) : BuiltInTasks.Generate(Name, count, seed, stream: 1);
}
