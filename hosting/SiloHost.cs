using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MemristorGrid.Hosting.Web;

namespace MemristorGrid.Hosting;

/// <summary>The silo process (used by silo/ and by <c>memgrid silo</c>): runs until SIGTERM/Ctrl+C,
/// then leaves the cluster gracefully (its grains deactivate and their lanes resume elsewhere).</summary>
public static class SiloHost
{
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);

    public static IHost Build(ClusterSettings settings, LogLevel logLevel = LogLevel.Warning)
    {
        var builder = Host.CreateDefaultBuilder().ConfigureLogging(logging =>
        {
            logging.SetMinimumLevel(logLevel);
            // A start-up failure is rethrown to RunAsync's caller, which reports it once; the host's own
            // "failed to start" log would print the same failure again with its stack trace.
            logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
            // With failure detection in seconds (HostingExtensions.Liveness) a single probe answered late — a silo still
            // compiling at start, a loaded node — is expected and harmless (a vote needs two, and a silent connection); Orleans
            // logged each as a warning with a stack trace. A silo that is declared dead says so itself (DeclaredDeadHandler).
            logging.AddFilter("Orleans.Runtime.MembershipService.SiloHealthMonitor", LogLevel.Error);
        }).ConfigureServices(services =>
        {
            services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
            services.AddSingleton(settings);
        });
        // The web host before the Redis gate and the silo: hosted services start in order (the generic host's
        // own order, which a WebApplication would put last), and the probes must answer while the silo waits and joins.
        builder.AddWebSurface(settings);
        builder.ConfigureServices(services => services.AddHostedService<ClusterStoreGate>());
        builder.UseMemristorGridSilo(settings);
        builder.ConfigureServices(services =>
        {
            if (settings.Redis is not null)
            {
                services.AddSingleton<MembershipWatchdog>();
                services.AddHostedService(sp => sp.GetRequiredService<MembershipWatchdog>());
            }
            // After Orleans' own: the last registration is the one resolved.
            services.AddSingleton<Orleans.Runtime.IFatalErrorHandler, DeclaredDeadHandler>();
            services.AddMemristorGridTelemetry(settings, "memgrid-silo");
        });
        return builder.Build();
    }

    /// <summary>How long after SIGTERM the process exits at the latest: a graceful leave needs the cluster's store, and
    /// Orleans waits a minute for a Redis that is gone (measured: 90 s and still running, stuck in its membership
    /// status update) — longer than Kubernetes' grace period, which would then kill it anyway.</summary>
    public static readonly TimeSpan HardStopAfter = ShutdownTimeout + TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs the silo until it is stopped (then 0); a leave that is not done <see cref="HardStopAfter"/> after the stop
    /// was asked for is abandoned with one warning line (also 0: the stop was asked for; its lanes resume elsewhere once
    /// the cluster declares it dead). A silo whose membership row vanished
    /// (<see cref="MembershipWatchdog"/>) cannot leave gracefully — every status update fails on the
    /// missing table — so it is abandoned: the console lifetime is released (it would hold the exit for
    /// the shutdown timeout) and <see cref="MembershipWatchdog.ExitCode"/> returned for the process to exit with.
    /// </summary>
    public static async Task<int> RunAsync(ClusterSettings settings, TextWriter? announce = null, CancellationToken cancel = default)
    {
        KeepASpareWorker();
        var host = Build(settings);
        await host.StartAsync(cancel);
        announce?.WriteLine($"silo up: silo port {settings.SiloPort}, gateway port {settings.GatewayPort}, web port {settings.HealthPort}, clustering {(settings.Redis is null ? "localhost" : "redis")}");
        if (WebSurface.Announcement(host.Services) is { } web) announce?.WriteLine(web);
        announce?.Flush();
        var lost = host.Services.GetService<MembershipWatchdog>()?.Lost ?? new TaskCompletionSource<string>().Task;
        var stopped = host.WaitForShutdownAsync(cancel);
        var stuck = StuckAsync(host.Services.GetRequiredService<IHostApplicationLifetime>());
        var first = await Task.WhenAny(stopped, lost, stuck);
        if (first == stuck && !stopped.IsCompleted)
        {
            Console.Error.WriteLine($"warning: the silo did not leave the cluster within {HardStopAfter.TotalSeconds:0} s of being stopped "
                + "(its cluster store does not answer?); exiting without leaving: the cluster declares it dead and its lanes resume elsewhere");
            (host.Services.GetService<IHostLifetime>() as IDisposable)?.Dispose();
            return 0;
        }
        if (first == stopped || !lost.IsCompleted)
        {
            await stopped;
            host.Dispose();
            return 0;
        }
        Console.Error.WriteLine($"error: {lost.Result}");
        (host.Services.GetService<IHostLifetime>() as IDisposable)?.Dispose();
        return MembershipWatchdog.ExitCode;
    }

    /// <summary>Completes <see cref="HardStopAfter"/> after the host was asked to stop.</summary>
    private static async Task StuckAsync(IHostApplicationLifetime lifetime)
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStopping.Register(() => stopping.TrySetResult())) await stopping.Task;
        await Task.Delay(HardStopAfter);
    }

    /// <summary>
    /// One thread-pool worker more than the cores. A worker serves the work it queued itself (one grain
    /// calling another on the same silo) before the pool's global queue, where messages from the network
    /// arrive; with every worker computing lanes, a call from another silo waited there. Measured with two
    /// silos pinned to a core each (fashion, 20 000 samples): calls between the silos took 0.2–0.45 s, each
    /// silo ran no lane for 1–2 s of a 6–7 s job, and 1 → 2 silo efficiency was 0.72–0.84 in single runs;
    /// with the spare worker and lanes sent ahead (<c>SiloLaneSlots</c>) 0.80 / 0.87 / 0.89 (3 repeats,
    /// bench/README.md). The spare also runs lane work when it has no message, sharing the core by the OS's
    /// time slices.
    /// </summary>
    private static void KeepASpareWorker()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, Environment.ProcessorCount + 1), io);
    }
}
