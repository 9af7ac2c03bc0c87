using System.Globalization;
using MemristorGrid.Grains.Hosting;

// The silo host. Settings come from the environment (MEMGRID_REDIS, MEMGRID_REDIS_WAIT_SECONDS,
// MEMGRID_SILO_PORT, MEMGRID_GATEWAY_PORT, MEMGRID_HEALTH_PORT, MEMGRID_METRICS_PORT, MEMGRID_CLUSTER_ID,
// POD_IP, OTEL_EXPORTER_OTLP_ENDPOINT — what a pod gets) and may be overridden by the options below.
// /healthz and /ready (ready once the silo joined the cluster) serve probes; SIGTERM stops it
// gracefully. Bad settings print one line and exit 2; a Redis that never answers, one line and exit 1.
const string Usage = "usage: MemristorGrid.Silo [--redis HOST:PORT] [--redis-wait SECONDS] [--port N] [--gateway-port N] [--health-port N] [--metrics-port N] [--otlp URL]";
var settings = ClusterSettings.FromEnvironment();
try
{
    for (int i = 0; i < args.Length; i += 2)
    {
        string name = args[i];
        string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{name} needs a value");
        settings = name switch
        {
            "--redis" => settings with { Redis = value },
            "--redis-wait" => settings with { RedisWait = TimeSpan.FromSeconds(Number(name, value, 0, 86_400)) },
            "--port" => settings with { SiloPort = Port(name, value) },
            "--gateway-port" => settings with { GatewayPort = Port(name, value) },
            "--health-port" => settings with { HealthPort = Port(name, value, allowZero: true) },
            "--metrics-port" => settings with { MetricsPort = Port(name, value, allowZero: true) },
            "--otlp" => settings with { OtlpEndpoint = value },
            _ => throw new ArgumentException($"unknown option {name}"),
        };
    }
    await SiloHost.RunAsync(settings, Console.Out);
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}\n{Usage}");
    return 2;
}
catch (ClusterStoreUnavailableException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
catch (Exception e)
{
    // A port in use, an unusable endpoint: the messages name it; the stack trace helps only developers.
    var messages = new List<string>();
    for (Exception? inner = e; inner is not null; inner = inner.InnerException) messages.Add(inner.Message);
    Console.Error.WriteLine($"error: the silo could not start: {string.Join(" — ", messages.Distinct())}");
    if (Environment.GetEnvironmentVariable("MEMGRID_DEBUG") == "1") Console.Error.WriteLine(e);
    return 70;
}

static int Port(string name, string value, bool allowZero = false) =>
    int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port >= (allowZero ? 0 : 1) && port <= 65_535
        ? port
        : throw new ArgumentException($"{name} must be a number in [{(allowZero ? 0 : 1)}, 65535], got '{value}'");

static double Number(string name, string value, double min, double max) =>
    double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= min && v <= max
        ? v
        : throw new ArgumentException($"{name} must be a number in [{min}, {max}], got '{value}'");
