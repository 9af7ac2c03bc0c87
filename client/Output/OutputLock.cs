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
        catch (IOException)
        {
            throw Engine.UserInputException.ForSetting("out", $"{dir} is being written by another memgrid command; wait for it to finish or choose another --out");
        }
    }

    public void Dispose() => _stream.Dispose();
}
