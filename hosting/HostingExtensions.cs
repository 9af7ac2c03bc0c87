using System.Net;
using MemristorGrid.Grains;
using MemristorGrid.Grains.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MemristorGrid.Hosting.Web;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Configuration;
using StackExchange.Redis;

namespace MemristorGrid.Hosting;

/// <summary>Host wiring for silos and clients, so every Program.cs (silo, CLI, tests) reads in a screen.</summary>
public static class HostingExtensions
{
    public static ISiloBuilder AddMemristorGridSilo(this ISiloBuilder silo, ClusterSettings settings)
    {
        silo.Configure<ClusterOptions>(o => { o.ClusterId = settings.ClusterId; o.ServiceId = settings.ServiceId; });
        if (settings.Redis is null)
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
            silo.AddMemoryGrainStorage(Storage.Name);
        }
        else
        {
            var redis = settings.RedisOptions();
            silo.UseRedisClustering(o => o.ConfigurationOptions = redis);
            // Cleared state is deleted, not kept as an empty record: a delivered job leaves nothing behind.
            silo.AddRedisGrainStorage(Storage.Name, o => { o.ConfigurationOptions = redis; o.DeleteStateOnClear = true; });
            var address = settings.AdvertisedAddress is { } ip ? IPAddress.Parse(ip) : IPAddress.Loopback;
            silo.ConfigureEndpoints(address, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: settings.AdvertisedAddress is not null);
            silo.Configure<ClusterMembershipOptions>(o => Liveness(o, settings.FailureDetection));
        }
        if (settings.Tls is { } tls) silo.UseTls(tls.Configure);
        // Traces exported: grain calls carry the trace context (the exporters' listeners start with the host, after this, so they are
        // named here); otherwise only when a listener in this process already records spans (a test's, a host application's).
        return silo.AddMemristorGridGrains(settings.LaneSlots, new Grains.Jobs.JobLifetime(settings.JobAbandonAfter),
            settings.ExportsTraces ? true : null);
    }

    /// <summary>
    /// How soon a silo that stopped answering is declared dead (<see cref="ClusterSettings.FailureDetection"/>, d): its lanes,
    /// the jobs it hosted and its share of the grain directory (which new activations elsewhere need) move only then. Orleans
    /// votes after NumMissedProbesLimit (2) missed probes, probes time out after d/3 (adapting up to MaxProbeTimeout = d/2),
    /// and the vote waits until the silo's connection has been silent MaxProbeTimeout × NumMissedProbesLimit = d. Orleans'
    /// defaults make that window 4 × 5 s × 3 = 60 s; with the probe timeout alone lowered to 2 s it was still 16 s, and a job
    /// with a silo stopped took 2.2–3.0× its time (bench/stress/hung-silo.sh; the survivor logged "Suppressing vote … within
    /// the 00:00:16 monitoring window"). A silo that is busy but talking is spared: a lane answers every 100 ms.
    /// </summary>
    internal static void Liveness(ClusterMembershipOptions o, TimeSpan detection)
    {
        o.NumMissedProbesLimit = 2;
        o.ProbeTimeout = detection / 3;
        o.MaxProbeTimeout = detection / 2;
    }

    /// <summary>The silo, with the Orleans Dashboard's silo side when it has a web host to show it
    /// (<see cref="Web.WebSurface.AddWebSurface(IHostBuilder, ClusterSettings)"/>).</summary>
    public static IHostBuilder UseMemristorGridSilo(this IHostBuilder host, ClusterSettings settings) =>
        host.UseOrleans(silo =>
        {
            silo.AddMemristorGridSilo(settings);
            if (settings.WebPorts().Count > 0) Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(silo);
        });

    /// <summary>How often a client re-reads the cluster's gateways.</summary>
    public static readonly TimeSpan GatewayRefresh = TimeSpan.FromSeconds(1);

    public static IClientBuilder AddMemristorGridClient(this IClientBuilder client, ClusterSettings settings)
    {
        client.Configure<ClusterOptions>(o => { o.ClusterId = settings.ClusterId; o.ServiceId = settings.ServiceId; });
        if (settings.Redis is not null)
            client.UseRedisClustering(o =>
            {
                // A dead address fails in seconds, not after StackExchange's default retries (~1 min).
                var redis = settings.RedisOptions();
                redis.ConnectTimeout = 2000;
                redis.ConnectRetry = 1;
                o.ConfigurationOptions = redis;
            });
        else
            client.UseStaticClustering(settings.Gateways.Select(ParseEndpoint).ToArray());
        if (settings.Tls is { } tls) client.UseTls(tls.Configure);
        // A silo that hangs (stopped, frozen) keeps its gateway's TCP connection open: the client went on sending through it
        // until it refreshed its gateway list (a minute by default), and a job stalled for the whole hang. Refreshed every
        // second, a gateway the cluster declared dead is dropped and calls go through the live ones.
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = GatewayRefresh);
        client.AddActivityPropagation();
        // A cluster that cannot be reached must fail the command, not hang it: retry with a doubling pause (0.25 s, 0.5 s, 1 s,
        // 2 s, then every 2 s: a Redis or gateway still starting, or busy, gets several chances) and give up after ConnectTimeout.
        var deadline = DateTime.UtcNow + settings.ConnectTimeout;
        int attempts = 0;
        client.UseConnectionRetryFilter(async (_, cancel) =>
        {
            var pause = TimeSpan.FromSeconds(Math.Min(2, 0.25 * Math.Pow(2, attempts++)));
            if (DateTime.UtcNow + pause > deadline) return false;
            await Task.Delay(pause, cancel);
            return true;
        });
        return client;
    }

    /// <summary>OpenTelemetry for MemristorGrid and Orleans: OTLP when an endpoint is set, a Prometheus
    /// scrape endpoint when a metrics port is set (silos), console on request.</summary>
    public static IServiceCollection AddMemristorGridTelemetry(this IServiceCollection services, ClusterSettings settings, string serviceName)
    {
        bool traces = settings.ExportsTraces;
        bool scrape = settings.WebPorts().Count > 0;
        if (!traces && !scrape) return services;
        if (settings.OtlpEndpoint is not null) services.AddHostedService(_ => new Telemetry.OtlpEndpointCheck(settings));
        var telemetry = services.AddOpenTelemetry().ConfigureResource(r => r.AddService(serviceName,
            // The pod's name, not a random id per process: the collector makes it the series' instance label, which the dashboards' silo variable lists.
            serviceInstanceId: Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : null, autoGenerateServiceInstanceId: true));
        if (traces)
            telemetry.WithTracing(t =>
            {
                t.AddSource(Instruments.Name, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application");
                t.SetSampler(new Telemetry.LaneWindowSampler(settings.TraceSampling));
                t.AddProcessor(new Telemetry.SkippedWindowFilter()); // before the exporters
                if (settings.OtlpEndpoint is { } endpoint) t.AddOtlpExporter(o => Otlp(o, settings, endpoint, "traces"));
                if (settings.ConsoleTelemetry) t.AddConsoleExporter();
            });
        telemetry.WithMetrics(m =>
        {
            m.AddMeter(Instruments.Name, "Microsoft.Orleans");
            foreach (var (instrument, bounds) in Instruments.Buckets)
                m.AddView(instrument, new ExplicitBucketHistogramConfiguration { Boundaries = bounds });
            // Exemplars link a slow tile's latency sample to the trace it was recorded in.
            m.SetExemplarFilter(ExemplarFilterType.TraceBased);
            if (settings.OtlpEndpoint is { } endpoint) m.AddOtlpExporter(o => Otlp(o, settings, endpoint, "metrics"));
            if (settings.ConsoleTelemetry) m.AddConsoleExporter();
            // For a Prometheus that scrapes silos directly (no collector): /metrics on the web host. The collector path is OTLP.
            if (scrape) m.AddScrapeExporter();
        });
        return services;
    }

    private static void Otlp(OpenTelemetry.Exporter.OtlpExporterOptions options, ClusterSettings settings, string endpoint, string signal)
    {
        if (settings.OtlpProtocol == "http/protobuf")
        {
            options.Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
            options.Endpoint = HttpSignalEndpoint(endpoint, signal);
        }
        else options.Endpoint = new Uri(endpoint);
    }

    /// <summary>OTLP/HTTP's per-signal path under an endpoint: /v1/traces, /v1/metrics.</summary>
    internal static Uri HttpSignalEndpoint(string endpoint, string signal) => new(endpoint.TrimEnd('/') + "/v1/" + signal);

    public static IPEndPoint ParseEndpoint(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out int port))
            throw new Engine.UserInputException($"gateway '{text}' is not host:port");
        string host = text[..colon];
        var address = IPAddress.TryParse(host, out var ip) ? ip
            : Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new Engine.UserInputException($"gateway host '{host}' does not resolve");
        return new IPEndPoint(address, port);
    }
}
