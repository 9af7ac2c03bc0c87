using System.CommandLine;
using MemristorGrid.Engine;
using MemristorGrid.Grains.Hosting;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary><c>memgrid silo</c>: run a silo of a MemristorGrid cluster in this process (the same host as silo/).</summary>
internal static class SiloCommand
{
    public static Command Create()
    {
        var redis = new Option<string?>("--redis") { Description = "Cluster through this Redis and keep grain state in it (e.g. localhost:6379); default: localhost clustering, memory storage." };
        var port = Make("--port", "Silo-to-silo port.", 11111).Positive();
        var gateway = Make("--gateway-port", "Client gateway port.", 30000).Positive();
        var health = Make("--health-port", "Port of /healthz and /ready (0 = none).", 8080).NonNegative();
        var redisWait = Make("--redis-wait", "Seconds to wait for Redis to answer before giving up (default: MEMGRID_REDIS_WAIT_SECONDS or 60).", 60.0).NonNegative();
        var metrics = Make("--metrics-port", "Port of a Prometheus scrape endpoint /metrics (0 = none; default: MEMGRID_METRICS_PORT).", 0).NonNegative();
        var otlp = new Option<string?>("--otlp") { Description = "OTLP endpoint for traces and metrics (default: OTEL_EXPORTER_OTLP_ENDPOINT)." };
        var command = new Command("silo", "Run a silo until Ctrl+C / SIGTERM (then leave the cluster gracefully).") { redis, redisWait, port, gateway, health, metrics, otlp };
        command.SetAction(async (parse, cancel) =>
        {
            var environment = ClusterSettings.FromEnvironment();
            var settings = environment with
            {
                Redis = parse.GetValue(redis) ?? environment.Redis,
                RedisWait = parse.GetResult(redisWait) is { Implicit: false } ? TimeSpan.FromSeconds(parse.GetValue(redisWait)) : environment.RedisWait,
                SiloPort = parse.GetValue(port),
                GatewayPort = parse.GetValue(gateway),
                HealthPort = parse.GetValue(health),
                MetricsPort = parse.GetResult(metrics) is { Implicit: false } ? parse.GetValue(metrics) : environment.MetricsPort,
                OtlpEndpoint = parse.GetValue(otlp) ?? environment.OtlpEndpoint,
            };
            try { await SiloHost.RunAsync(settings, parse.InvocationConfiguration.Output, cancel); }
            catch (ClusterStoreUnavailableException e) { throw new UserInputException(e.Message); }
            return 0;
        });
        return command;
    }
}
