using Microsoft.Extensions.Logging;

namespace MemristorGrid.Grains.Jobs;

/// <summary>
/// Grain-state writes one after another: lanes finish interleaved on the job's activation, and two
/// overlapping writes would carry the same ETag (the second would be refused). A failed write is
/// superseded by the next, which writes the newer state.
/// </summary>
internal sealed class SerialWrites(Func<Task> write, ILogger logger)
{
    private Task _last = Task.CompletedTask;

    public Task WriteAsync() => _last = AfterAsync(_last);

    private async Task AfterAsync(Task previous)
    {
        try { await previous; }
        catch (Exception e) { logger.LogDebug(e, "an earlier grain-state write failed; this one supersedes it"); }
        await write();
    }
}
