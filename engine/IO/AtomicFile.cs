namespace MemristorGrid.Engine.IO;

/// <summary>Writes go to a temporary file beside the target and are renamed into place, so a failure
/// never leaves a half-written result where the user expects a whole one. Only a regular file (or nothing) is ever
/// replaced: the rename once put a regular file in place of <c>/dev/full</c>.</summary>
public static class AtomicFile
{
    /// <summary>Refuses a target that exists and is not a regular file (a device, FIFO, socket, directory or link).</summary>
    public static void RequireReplaceable(string path, string? option = null)
    {
        var kind = FileKinds.Of(path);
        if (kind is FileKind.Missing or FileKind.RegularFile) return;
        string what = option is null ? path : $"{option} {path}";
        throw new UserInputException(kind == FileKind.Directory
            ? $"{what} is a directory; give a file name"
            : $"{what} is {FileKinds.Describe(kind)}, not a regular file: MemristorGrid only writes regular files; give another path");
    }

    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        RequireReplaceable(full);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                write(stream);
            File.Move(temp, full, overwrite: true);
        }
        catch (IOException e) when (e.Message.Contains(temp, StringComparison.Ordinal))
        {
            // The temporary file is removed below: name the file the user asked for, keep the system's reason and code.
            throw new IOException($"cannot write {full}: {e.Message.Replace($" : '{temp}'", "", StringComparison.Ordinal).Replace(temp, full, StringComparison.Ordinal)}", e.HResult);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false)); w.Write(text); });

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));
}
