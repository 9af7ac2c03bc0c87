using System.Text.Json;
using System.Text.Json.Nodes;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.IO;

namespace MemristorGrid.Client.Output;

/// <summary>Writes a run's files into its output directory, each file atomically.</summary>
public static class RunOutputs
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary><see cref="PrepareDirectory"/>, then locks the directory for this command: a second command given the
    /// same <c>--out</c> is refused while the first holds it (their files would interleave). A killed command's lock
    /// dies with it (the kernel drops the process's flock).
    /// A directory the claim created and nothing was written to (the command failed: the cluster went away, Ctrl-C) is removed
    /// when the claim ends: a failed command leaves nothing behind.</summary>
    public static IDisposable ClaimDirectory(string dir)
    {
        bool created = !Directory.Exists(dir);
        PrepareDirectory(dir);
        return new DirectoryClaim(dir, created, OutputLock.Acquire(dir));
    }

    private sealed class DirectoryClaim(string dir, bool created, OutputLock held) : IDisposable
    {
        public void Dispose()
        {
            held.Dispose(); // deletes its lock file
            try { if (created && !Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // someone else's now: theirs to keep
        }
    }

    /// <summary>Creates (or checks) an output directory and proves it writable.</summary>
    public static void PrepareDirectory(string dir)
    {
        var kind = FileKinds.Of(dir);
        if (kind is not (FileKind.Missing or FileKind.Directory))
            throw Engine.UserInputException.ForSetting("out", kind == FileKind.RegularFile ? $"{dir} is a file; give a directory" : $"{dir} is {FileKinds.Describe(kind)}; give a directory");
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

    /// <summary>Refuses an output file path that is a directory or a special file (device, FIFO, socket, link), or whose folder is a file.</summary>
    public static void EnsureWritableFile(string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        AtomicFile.RequireReplaceable(path, "--out");
        if (dir is not null && File.Exists(dir)) throw new Engine.UserInputException($"--out {path}: {dir} is a file, not a directory");
    }

    /// <summary>samples.csv, streamed into its temporary file (never held whole as text), then renamed into place.</summary>
    public static void WriteSamples(string dir, float[] samples, int dim, int[] labels, IReadOnlyList<string> classNames) =>
        AtomicFile.Write(Path.Combine(dir, "samples.csv"), s =>
        {
            using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16);
            CsvDataset.Write(w, samples, dim, labels, classNames);
        });

    public static void WriteReport(string dir, JsonObject report, string name = "report.json") =>
        AtomicFile.WriteAllText(Path.Combine(dir, name), report.ToJsonString(Indented) + "\n");

    public static void WriteText(string dir, string name, string text) => AtomicFile.WriteAllText(Path.Combine(dir, name), text);

    public static void WritePng(string dir, string name, byte[] png) => AtomicFile.WriteAllBytes(Path.Combine(dir, name), png);
}
