namespace MemristorGrid.Hosting;

/// <summary>
/// Where a silo or client finds its cluster, and what telemetry it exports. With no Redis connection
/// the cluster is localhost-only (development, the embedded silo); with one, silos find each other and
/// keep grain state in Redis. <see cref="AdvertisedAddress"/> is the pod IP under Kubernetes.
/// </summary>
public sealed record ClusterSettings
{
    public string? Redis { get; init; }

    /// <summary>The Redis password (MEMGRID_REDIS_PASSWORD, from a Secret), kept out of the connection string
    /// so that it never appears in command lines, logs or error messages.</summary>
    public string? RedisPassword { get; init; }

    /// <summary>The StackExchange.Redis options for <see cref="Redis"/>, with <see cref="RedisPassword"/> applied.</summary>
    public StackExchange.Redis.ConfigurationOptions RedisOptions()
    {
        var options = StackExchange.Redis.ConfigurationOptions.Parse(Redis ?? throw new InvalidOperationException("no Redis configured"));
        if (RedisPassword is not null) options.Password = RedisPassword;
        return options;
    }

    /// <summary>Silo only: how long to wait for <see cref="Redis"/> to answer before giving up.</summary>
    public TimeSpan RedisWait { get; init; } = TimeSpan.FromSeconds(60);
    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;

    /// <summary>Client only: how long to keep trying to reach the cluster before the command fails
    /// (a dead address should fail in seconds; tests that start silos alongside allow longer).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Client only: gateways to connect to without Redis (host:port).</summary>
    public IReadOnlyList<string> Gateways { get; init; } = [];
    public string ClusterId { get; init; } = "memgrid";

    /// <summary>Mutual TLS on every Orleans connection; null = plain TCP.</summary>
    public ClusterTls? Tls { get; init; }
    public string ServiceId { get; init; } = "memgrid";
    public string? AdvertisedAddress { get; init; }

    /// <summary>Where the health and metrics listeners bind: the pod's address (<see cref="AdvertisedAddress"/>,
    /// which is where probes and scrapes arrive) or, outside a pod, loopback only.</summary>
    public System.Net.IPAddress ListenAddress() =>
        AdvertisedAddress is { } ip ? System.Net.IPAddress.Parse(ip) : System.Net.IPAddress.Loopback;

    /// <summary>Port of the silo's web host (/healthz, /ready, /metrics, /dashboard, /jobs); 0 = none.</summary>
    public int HealthPort { get; init; } = 8080;

    /// <summary>Silo only: lanes this silo runs at once; null = twice its cores.</summary>
    public int? LaneSlots { get; init; }

    /// <summary>Silo only: how long a job runs on with no client asking for it before it stops and leaves the store
    /// (MEMGRID_JOB_ABANDON_SECONDS, default 120 s); the same command run again within it resumes the job.</summary>
    public TimeSpan JobAbandonAfter { get; init; } = Grains.Jobs.JobLifetime.Default.AbandonAfter;

    /// <summary>Silo only: how long a silo may stay silent before the others declare it dead and its lanes move
    /// (MEMGRID_FAILURE_DETECTION_SECONDS, default 2 s; <see cref="HostingExtensions.Liveness"/>). Longer spares a node
    /// that stalls now and then (a silo declared dead leaves with exit code 75 and is started again; its lanes resume).</summary>
    public TimeSpan FailureDetection { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A further port of the same web host (a silo's, or <c>memgrid</c>'s embedded silo's), for scrape configurations that
    /// name a metrics port; 0 = none.</summary>
    public int MetricsPort { get; init; }

    /// <summary>The ports the web host listens on (none: no web host).</summary>
    public IReadOnlyList<int> WebPorts() => new[] { HealthPort, MetricsPort }.Where(p => p > 0).Distinct().ToArray();

    /// <summary>OTLP endpoint (e.g. http://collector:4317); null = no OTLP export.</summary>
    public string? OtlpEndpoint { get; init; }
    public bool ConsoleTelemetry { get; init; }

    /// <summary>Whether this process exports spans (to an OTLP endpoint or the console).</summary>
    public bool ExportsTraces => OtlpEndpoint is not null || ConsoleTelemetry;

    /// <summary>OTLP transport: "grpc" (default, port 4317) or "http/protobuf" (port 4318, paths /v1/traces and /v1/metrics).</summary>
    public string OtlpProtocol { get; init; } = "grpc";

    public static readonly string[] OtlpProtocols = ["grpc", "http/protobuf"];

    /// <summary>Fraction of lane windows traced (each with its chip calls); a job's own spans are always kept
    /// (<see cref="Telemetry.LaneWindowSampler"/>). 0.1 keeps ≈ 0.26 kB of spans per sample instead of 2.6 kB.</summary>
    public double TraceSampling { get; init; } = 0.1;

    /// <summary>Reads MEMGRID_REDIS, MEMGRID_REDIS_PASSWORD, MEMGRID_TLS_CERT/KEY/CA, MEMGRID_REDIS_WAIT_SECONDS, MEMGRID_SILO_PORT, MEMGRID_GATEWAY_PORT, MEMGRID_HEALTH_PORT, MEMGRID_METRICS_PORT, MEMGRID_LANE_SLOTS, MEMGRID_JOB_ABANDON_SECONDS, MEMGRID_FAILURE_DETECTION_SECONDS, MEMGRID_CLUSTER_ID, POD_IP and
    /// OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_PROTOCOL / OTEL_TRACES_SAMPLER_ARG, the settings a container or pod gets from its environment.</summary>
    /// <summary>Text from the environment as it may be echoed: control characters (terminal escapes) shown as '?'.</summary>
    private static string Printable(string text) => string.Concat(text.Take(64).Select(c => char.IsControl(c) ? '?' : c));

    /// <summary>A duration in seconds from the environment, within [min, max]; null when unset; anything else refused naming it.</summary>
    private static TimeSpan? Seconds(string variable, double min, double max) =>
        Env(variable) is not { } text ? null
        : double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds) && seconds >= min && seconds <= max
            ? TimeSpan.FromSeconds(seconds)
            : throw new Engine.UserInputException($"{variable} must be a number of seconds in [{min}, {max}], got '{Printable(text)}'");

    /// <summary>A variable's value; null when unset or empty.</summary>
    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    public static ClusterSettings FromEnvironment()
    {
        // A port variable that is set but no port is an error, not the default (MEMGRID_SILO_PORT=abc once meant 11111,
        // and MEMGRID_HEALTH_PORT=99999 an internal error deep in the start).
        static int? Port(string name, int min) => Env(name) is not { } text ? null
            : int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) && port >= min && port <= 65_535 ? port
            : throw new Engine.UserInputException($"{name} must be a port in [{min}, 65535], got '{Printable(text)}'");
        var s = new ClusterSettings();
        return s with
        {
            Redis = Env("MEMGRID_REDIS"),
            RedisPassword = Env("MEMGRID_REDIS_PASSWORD"),
            Tls = ClusterTls.FromEnvironment(),
            RedisWait = double.TryParse(Env("MEMGRID_REDIS_WAIT_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out double w) && w >= 0 ? TimeSpan.FromSeconds(w) : s.RedisWait,
            SiloPort = Port("MEMGRID_SILO_PORT", 1) ?? s.SiloPort,
            GatewayPort = Port("MEMGRID_GATEWAY_PORT", 1) ?? s.GatewayPort,
            HealthPort = Port("MEMGRID_HEALTH_PORT", 0) ?? s.HealthPort,
            MetricsPort = Port("MEMGRID_METRICS_PORT", 0) ?? s.MetricsPort,
            LaneSlots = int.TryParse(Env("MEMGRID_LANE_SLOTS"), out int slots) && slots > 0 ? slots : s.LaneSlots,
            JobAbandonAfter = Seconds("MEMGRID_JOB_ABANDON_SECONDS", 5, 86_400) ?? s.JobAbandonAfter,
            FailureDetection = Seconds("MEMGRID_FAILURE_DETECTION_SECONDS", 1, 120) ?? s.FailureDetection,
            ClusterId = Env("MEMGRID_CLUSTER_ID") ?? s.ClusterId,
            AdvertisedAddress = Env("POD_IP"),
            OtlpEndpoint = Env("OTEL_EXPORTER_OTLP_ENDPOINT"),
            OtlpProtocol = Env("OTEL_EXPORTER_OTLP_PROTOCOL") ?? s.OtlpProtocol,
            TraceSampling = double.TryParse(Env("OTEL_TRACES_SAMPLER_ARG"), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double ratio)
                && ratio is >= 0 and <= 1 ? ratio : s.TraceSampling,
        };
    }
}
