using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace MemristorGrid.Hosting;

/// <summary>
/// The silo's command line, defined once for <c>silo/</c> and <c>memgrid silo</c>: each setting is the
/// option when given, else the environment (what a pod gets, <see cref="ClusterSettings.FromEnvironment"/>),
/// else the default. The action runs the silo until Ctrl+C / SIGTERM; a Redis that never answers throws
/// <see cref="ClusterStoreUnavailableException"/>, for the caller to report in one line.
/// </summary>
public static class SiloCommandLine
{
    public const string Description = "Run a silo until Ctrl+C / SIGTERM (then leave the cluster gracefully).\nExample: memgrid silo --redis localhost:6379 --health-port 8080";

    public static T Configure<T>(T command) where T : Command
    {
        var redis = new Option<string?>("--redis") { Description = "Cluster through this Redis and keep grain state in it (e.g. localhost:6379; its password from MEMGRID_REDIS_PASSWORD); default: MEMGRID_REDIS, else localhost clustering with memory storage." };
        var redisWait = Number("--redis-wait", "Seconds to wait for Redis to answer before giving up (default: MEMGRID_REDIS_WAIT_SECONDS or 60).", 0, 86_400);
        var port = Port("--port", "Silo-to-silo port (default: MEMGRID_SILO_PORT or 11111).", allowZero: false);
        var gateway = Port("--gateway-port", "Client gateway port (default: MEMGRID_GATEWAY_PORT or 30000).", allowZero: false);
        var health = Port("--health-port", "Port of the web host: /healthz and /ready (anonymous), /jobs, /dashboard and /metrics (token: MEMGRID_WEB_TOKEN) (0 = none; default: MEMGRID_HEALTH_PORT or 8080).", allowZero: true);
        var metrics = Port("--metrics-port", "A second port for the same web host, for scrape configurations that expect one (0 = none; default: MEMGRID_METRICS_PORT or none).", allowZero: true);
        var laneSlots = Port("--lane-slots", "Lanes this silo runs at once (default: MEMGRID_LANE_SLOTS or twice its cores).", allowZero: false);
        var otlp = new Option<string?>("--otlp") { Description = "OTLP endpoint for traces and metrics (default: OTEL_EXPORTER_OTLP_ENDPOINT)." };
        var otlpProtocol = new Option<string?>("--otlp-protocol") { Description = "OTLP transport: grpc (port 4317) or http/protobuf (port 4318) (default: OTEL_EXPORTER_OTLP_PROTOCOL, else grpc)." };
        otlpProtocol.AcceptOnlyFromAmong(ClusterSettings.OtlpProtocols);
        var sampling = Number("--trace-sampling", "Fraction of lane windows traced, each with its chip calls; job spans always (default: OTEL_TRACES_SAMPLER_ARG, else 0.1).", 0, 1);
        foreach (var o in new Option[] { redis, redisWait, port, gateway, health, metrics, laneSlots, otlp, otlpProtocol, sampling }) command.Options.Add(o);
        command.SetAction(async (parse, cancel) =>
        {
            var env = ClusterSettings.FromEnvironment();
            var settings = env with
            {
                Redis = parse.GetValue(redis) ?? env.Redis,
                RedisWait = parse.GetValue(redisWait) is { } wait ? TimeSpan.FromSeconds(wait) : env.RedisWait,
                SiloPort = parse.GetValue(port) ?? env.SiloPort,
                GatewayPort = parse.GetValue(gateway) ?? env.GatewayPort,
                HealthPort = parse.GetValue(health) ?? env.HealthPort,
                MetricsPort = parse.GetValue(metrics) ?? env.MetricsPort,
                LaneSlots = parse.GetValue(laneSlots) ?? env.LaneSlots,
                OtlpEndpoint = parse.GetValue(otlp) ?? env.OtlpEndpoint,
                OtlpProtocol = parse.GetValue(otlpProtocol) ?? env.OtlpProtocol,
                TraceSampling = parse.GetValue(sampling) ?? env.TraceSampling,
            };
            RequireFreePorts(settings);
            return await SiloHost.RunAsync(settings, parse.InvocationConfiguration.Output, cancel);
        });
        return command;
    }

    /// <summary>
    /// Each port the silo will listen on is distinct and free, checked before Orleans starts (which would
    /// otherwise fail deep in its lifecycle with a stack trace in the log).
    /// </summary>
    private static void RequireFreePorts(ClusterSettings settings)
    {
        var ports = new List<(string Option, int Port)> { ("--port", settings.SiloPort), ("--gateway-port", settings.GatewayPort) };
        if (settings.HealthPort > 0) ports.Add(("--health-port", settings.HealthPort));
        if (settings.MetricsPort > 0) ports.Add(("--metrics-port", settings.MetricsPort));
        foreach (var clash in ports.GroupBy(p => p.Port).Where(g => g.Count() > 1))
            throw new Engine.UserInputException($"{string.Join(" and ", clash.Select(p => p.Option))} are both {clash.Key}; each needs its own port");
        foreach (var (option, port) in ports)
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Any, port);
            try { listener.Start(); }
            catch (System.Net.Sockets.SocketException e)
            { throw new Engine.UserInputException($"{option} {port} is already in use ({e.SocketErrorCode}): another silo or program listens there; choose another port or stop it"); }
            finally { listener.Stop(); }
        }
    }

    private static Option<int?> Port(string name, string description, bool allowZero) => new(name)
    {
        Description = description,
        CustomParser = r => Parse(r, name, allowZero ? 0 : 1, 65_535, s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : null),
    };

    private static Option<double?> Number(string name, string description, double min, double max) => new(name)
    {
        Description = description,
        CustomParser = r => Parse(r, name, min, max, s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null),
    };

    private static T? Parse<T>(ArgumentResult result, string name, T min, T max, Func<string, T?> convert) where T : struct, IComparable<T>
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (convert(text) is { } value && value.CompareTo(min) >= 0 && value.CompareTo(max) <= 0) return value;
        result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be a number in [{min}, {max}], got '{text}'"));
        return null;
    }
}
