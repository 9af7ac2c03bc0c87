using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace MemristorGrid.Hosting;

/// <summary>
/// Watches this silo's own row in the membership table (Redis). Orleans keeps a silo running when its
/// row vanishes — Redis restarted empty after a crash — although no client or new silo can find it any
/// more, and it cannot leave gracefully either (every status update fails on the missing table). Once
/// the row has been missing for <see cref="MissesBeforeLeaving"/> reads in a row the silo is not ready
/// (<c>/ready</c> 503) and <see cref="Lost"/> completes: <see cref="SiloHost.RunAsync"/> then exits the
/// process with <see cref="ExitCode"/> so that its orchestrator (Kubernetes, compose's restart policy,
/// systemd) starts a fresh silo, which joins the cluster again.
/// </summary>
public sealed class MembershipWatchdog(IServiceProvider services, ILogger<MembershipWatchdog> logger) : BackgroundService
{
    /// <summary>EX_TEMPFAIL: the silo is healthy but must be started again to rejoin.</summary>
    public const int ExitCode = 75;
    public const int MissesBeforeLeaving = 2;
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    private readonly TaskCompletionSource<string> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes, with a one-line reason, once this silo's membership row is gone.</summary>
    public Task<string> Lost => _lost.Task;

    public bool MembershipLost => _lost.Task.IsCompleted;

    /// <summary>Leaves for another reason that needs a fresh start (<see cref="DeclaredDeadHandler"/>).</summary>
    public void Leave(string reason) => _lost.TrySetResult(reason);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var table = services.GetService<IMembershipTable>();
        if (table is null) return;
        var local = services.GetRequiredService<ILocalSiloDetails>();
        var membership = services.GetRequiredService<IClusterMembershipService>();
        int misses = 0;
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // Only an Active silo's row must exist: while it joins or leaves, Orleans owns it.
                if (membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress) != SiloStatus.Active) { misses = 0; continue; }
                bool present;
                try { present = (await table.ReadRowAsync(local.SiloAddress, stoppingToken)).Members.Any(m => m.Item1.SiloAddress.Equals(local.SiloAddress)); }
                catch (Orleans.Clustering.Redis.RedisClusteringException) { present = false; } // Redis answered: the table itself is gone
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogDebug(e, "membership table unreadable; checking again");
                    continue; // Redis down: the silo keeps running and Orleans' own retries apply.
                }
                misses = present ? 0 : misses + 1;
                if (misses < MissesBeforeLeaving) continue;
                _lost.TrySetResult($"this silo ({local.SiloAddress}) is no longer in the cluster's membership table (Redis restarted empty?); exiting with code {ExitCode} so that it is started again and rejoins");
                return;
            }
        }
        catch (OperationCanceledException) { }
    }
}
