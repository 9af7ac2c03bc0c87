using Orleans.Runtime;
using Orleans.Runtime.Messaging;

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

    /// <summary>Silo lost, message rejected, timed out.</summary>
    private static bool IsTransient(Exception e) => e is OrleansException or TimeoutException or ConnectionFailedException;
}
