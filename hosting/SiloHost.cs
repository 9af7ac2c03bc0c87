using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MemristorGrid.Hosting;

/// <summary>The silo process (used by silo/ and by <c>memgrid silo</c>): runs until SIGTERM/Ctrl+C,
/// then leaves the cluster gracefully (its grains deactivate and their lanes resume elsewhere).</summary>
public static class SiloHost
{
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);

    public static IHost Build(ClusterSettings settings, LogLevel logLevel = LogLevel.Warning)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(logLevel);
        // A start-up failure is rethrown to RunAsync's caller, which reports it once; the host's own
        // "failed to start" log would print the same failure again with its stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        // Before the silo: hosted services start in order, and the probes must answer while it joins.
        builder.Services.AddSingleton(settings);
        builder.Services.AddHostedService<HealthEndpoint>();
        builder.Services.AddHostedService<ClusterStoreGate>();
        builder.UseOrleans(silo => silo.AddMemristorGridSilo(settings));
        if (settings.Redis is not null)
        {
            builder.Services.AddSingleton<MembershipWatchdog>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<MembershipWatchdog>());
        }
        builder.Services.AddMemristorGridTelemetry(settings, "memgrid-silo");
        return builder.Build();
    }

    /// <summary>
    /// Runs the silo until it is stopped (then 0). A silo whose membership row vanished
    /// (<see cref="MembershipWatchdog"/>) cannot leave gracefully — every status update fails on the
    /// missing table — so it is abandoned: the console lifetime is released (it would hold the exit for
    /// the shutdown timeout) and <see cref="MembershipWatchdog.ExitCode"/> returned for the process to exit with.
    /// </summary>
    public static async Task<int> RunAsync(ClusterSettings settings, TextWriter? announce = null, CancellationToken cancel = default)
    {
        KeepASpareWorker();
        var host = Build(settings);
        await host.StartAsync(cancel);
        announce?.WriteLine($"silo up: silo port {settings.SiloPort}, gateway port {settings.GatewayPort}, health port {settings.HealthPort}, clustering {(settings.Redis is null ? "localhost" : "redis")}");
        announce?.Flush();
        var lost = host.Services.GetService<MembershipWatchdog>()?.Lost ?? new TaskCompletionSource<string>().Task;
        var stopped = host.WaitForShutdownAsync(cancel);
        if (await Task.WhenAny(stopped, lost) == stopped || !lost.IsCompleted)
        {
            await stopped;
            host.Dispose();
            return 0;
        }
        Console.Error.WriteLine($"error: {lost.Result}");
        (host.Services.GetService<IHostLifetime>() as IDisposable)?.Dispose();
        return MembershipWatchdog.ExitCode;
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
