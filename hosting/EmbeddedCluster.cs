using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MemristorGrid.Hosting.Web;

namespace MemristorGrid.Hosting;

/// <summary>A one-silo cluster inside this process (the CLI's default): localhost clustering on a free
/// port, memory grain storage, and the silo's own co-hosted client. No gateway: nothing outside the process
/// connects to it (gateway port 0 starts no gateway listener; its CPU was not measurable in a 10-sample run).</summary>
public sealed class EmbeddedCluster : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbeddedCluster(IHost host, string? web) => (_host, WebAnnouncement) = (host, web);

    /// <summary>Where the embedded silo's web host listens and how to log in (memgrid --metrics-port); null without one.</summary>
    public string? WebAnnouncement { get; }

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();
    public IServiceProvider Services => _host.Services;

    public static async Task<EmbeddedCluster> StartAsync(ClusterSettings? telemetry = null, Action<IServiceCollection>? services = null, CancellationToken cancel = default)
    {
        int[] free = FreePorts(1);
        var settings = (telemetry ?? new ClusterSettings()) with
        {
            Redis = null,
            SiloPort = free[0],
            GatewayPort = 0, // no gateway: the co-hosted client needs none
            ClusterId = $"embedded-{Environment.ProcessId}-{Guid.NewGuid():N}",
            HealthPort = 0,
        };
        var builder = Host.CreateDefaultBuilder().ConfigureLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Warning))
            .ConfigureServices(s =>
            {
                s.AddSingleton<IHostLifetime, HostedByCaller>();
                s.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
            });
        // memgrid --metrics-port: the embedded silo's web host (metrics, dashboard, live job page), as a silo's.
        builder.AddWebSurface(settings);
        builder.UseMemristorGridSilo(settings);
        builder.ConfigureServices(s =>
        {
            s.AddMemristorGridTelemetry(settings, "memgrid");
            services?.Invoke(s);
        });
        var host = builder.Build();
        await host.StartAsync(cancel);
        return new EmbeddedCluster(host, WebSurface.Announcement(host.Services));
    }

    public static int FreePort() => FreePorts(1)[0];

    /// <summary>
    /// <paramref name="count"/> distinct free ports. Each listener is held until all are chosen: released one
    /// by one, the kernel may hand the same port out twice (a silo once got one port for both --port and
    /// --health-port, and exited).
    /// </summary>
    public static int[] FreePorts(int count)
    {
        var listeners = new TcpListener[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var l in listeners) l?.Stop();
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _host.StopAsync();
        _host.Dispose();
    }
}
