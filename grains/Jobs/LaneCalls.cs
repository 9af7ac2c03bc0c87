using MemristorGrid.GrainInterfaces;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using Orleans.Storage;

namespace MemristorGrid.Grains.Jobs;

/// <summary>
/// Calls to lanes, retried on the failures a lost silo causes (the lane re-activates elsewhere and
/// resumes from its checkpoint). A plain loop rather than a Polly pipeline: Polly resumes off the
/// grain's scheduler, and a grain must only touch its state on its own.
/// </summary>
internal static class LaneCalls
{
    private const int MaxAttempts = 30;

    public static async Task<T> RetryAsync<T>(Func<Task<T>> call, Action<Exception> onRetry)
    {
        for (int attempt = 1; ; attempt++)
        {
            try { return await call(); }
            catch (Exception e) when (attempt < MaxAttempts && IsTransient(e))
            {
                onRetry(e);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 200 * Math.Pow(2, Math.Min(attempt, 5)))));
            }
        }
    }

    /// <summary>Deletes the checkpoints of a job's lanes (each lane is asked; one lost with its silo is retried).</summary>
    public static Task ForgetAllAsync(IGrainFactory grains, string job, int lanes) =>
        Task.WhenAll(Enumerable.Range(0, lanes).Select(k =>
            RetryAsync(async () => { await grains.GetGrain<IIntegratorChannelGrain>(GrainKeys.Lane(job, k)).ForgetAsync(); return true; }, _ => { })));

    /// <summary>A write that found the store's copy changed underneath it — the job's or a lane's — means
    /// the store lost the job's state (Redis restarted without its data): not a bug, and not retried.</summary>
    public static bool IsStateLost(Exception? e) => e is InconsistentStateException || e?.InnerException is InconsistentStateException;

    /// <summary>Silo lost, message rejected, timed out.</summary>
    private static bool IsTransient(Exception e) => e is OrleansException or TimeoutException or ConnectionFailedException;
}
