using System.Text.Json;
using System.Text.Json.Nodes;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.IO;

namespace MemristorGrid.Client.Output;

/// <summary>Writes a run's files into its output directory, each file atomically.</summary>
public static class RunOutputs
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void PrepareDirectory(string dir)
    {
        if (File.Exists(dir)) throw Engine.UserInputException.ForSetting("out", $"{dir} is a file; give a directory");
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw Engine.UserInputException.ForSetting("out", $"{dir}: cannot create the directory ({e.Message})"); }
        // Find out now, not after the whole job ran, whether files can be written there.
        string probe = Path.Combine(dir, $".memgrid-write-test.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw Engine.UserInputException.ForSetting("out", $"{dir}: files cannot be written there ({e.Message})"); }
    }

    /// <summary>Refuses an output file path that is a directory, or whose folder is a file.</summary>
    public static void EnsureWritableFile(string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (Directory.Exists(path)) throw new Engine.UserInputException($"--out {path} is a directory; give a file name");
        if (dir is not null && File.Exists(dir)) throw new Engine.UserInputException($"--out {path}: {dir} is a file, not a directory");
    }

    public static void WriteSamples(string dir, ReadOnlySpan<float> samples, int dim, ReadOnlySpan<int> labels, IReadOnlyList<string> classNames) =>
        AtomicFile.WriteAllText(Path.Combine(dir, "samples.csv"), CsvDataset.Format(samples, dim, labels, classNames));

    public static void WriteReport(string dir, JsonObject report, string name = "report.json") =>
        AtomicFile.WriteAllText(Path.Combine(dir, name), report.ToJsonString(Indented) + "\n");

    public static void WriteText(string dir, string name, string text) => AtomicFile.WriteAllText(Path.Combine(dir, name), text);

    public static void WritePng(string dir, string name, byte[] png) => AtomicFile.WriteAllBytes(Path.Combine(dir, name), png);
}
