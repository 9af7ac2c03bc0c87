namespace MemristorGrid.Client.Output;

/// <summary>
/// An advisory lock on an output directory for the life of a command: <c>.memgrid.lock</c>, opened exclusively
/// (.NET takes an <c>flock</c> on Linux) and deleted when closed. Three runs given one <c>--out</c> once all exited 0
/// and left <c>samples.csv</c> from one seed beside <c>report.json</c> from another.
/// </summary>
internal sealed class OutputLock : IDisposable
{
    public const string FileName = ".memgrid.lock";
    private readonly FileStream _stream;

    private OutputLock(FileStream stream) => _stream = stream;

    public static OutputLock Acquire(string dir)
    {
        string path = Path.Combine(dir, FileName);
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            stream.SetLength(0);
            stream.Write(System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"));
            stream.Flush();
            return new OutputLock(stream);
        }
        catch (IOException e) when (IsHeldByAnother(e))
        {
            throw Engine.UserInputException.ForSetting("out", $"{dir} is being written by another memgrid command; wait for it to finish or choose another --out");
        }
        catch (IOException e)
        {
            // A full disk or a failing device is not another command: say what the system said (CI once read "being written by
            // another memgrid command" on a disk that was full).
            throw Engine.UserInputException.ForSetting("out", $"{dir}: cannot create its lock file {FileName}: {e.Message}");
        }
    }

    /// <summary>The lock is taken: .NET reports a sharing violation (ERROR_SHARING_VIOLATION, its Windows code, on Unix too),
    /// or the system's EWOULDBLOCK from <c>flock</c>.</summary>
    private static bool IsHeldByAnother(IOException e) => e.HResult is unchecked((int)0x80070020) or 11;

    public void Dispose() => _stream.Dispose();
}
