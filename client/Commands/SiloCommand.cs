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
        var port = Make("--port", "Silo-to-silo port (default: MEMGRID_SILO_PORT or 11111).", 11111).Positive();
        var gateway = Make("--gateway-port", "Client gateway port (default: MEMGRID_GATEWAY_PORT or 30000).", 30000).Positive();
        var health = Make("--health-port", "Port of /healthz and /ready (0 = none; default: MEMGRID_HEALTH_PORT or 8080).", 8080).NonNegative();
        var redisWait = Make("--redis-wait", "Seconds to wait for Redis to answer before giving up (default: MEMGRID_REDIS_WAIT_SECONDS or 60).", 60.0).NonNegative();
        var metrics = Make("--metrics-port", "Port of a Prometheus scrape endpoint /metrics (0 = none; default: MEMGRID_METRICS_PORT).", 0).NonNegative();
        var otlp = new Option<string?>("--otlp") { Description = "OTLP endpoint for traces and metrics (default: OTEL_EXPORTER_OTLP_ENDPOINT)." };
        var command = new Command("silo", "Run a silo until Ctrl+C / SIGTERM (then leave the cluster gracefully).") { redis, redisWait, port, gateway, health, metrics, otlp };
        command.SetAction(async (parse, cancel) =>
        {
            // An option given on the command line wins; otherwise the environment (as for silo/), then the default.
            var environment = ClusterSettings.FromEnvironment();
            T Given<T>(Option<T> option, T fallback) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : fallback;
            var settings = environment with
            {
                Redis = Given(redis, environment.Redis),
                RedisWait = TimeSpan.FromSeconds(Given(redisWait, environment.RedisWait.TotalSeconds)),
                SiloPort = Given(port, environment.SiloPort),
                GatewayPort = Given(gateway, environment.GatewayPort),
                HealthPort = Given(health, environment.HealthPort),
                MetricsPort = Given(metrics, environment.MetricsPort),
                OtlpEndpoint = Given(otlp, environment.OtlpEndpoint),
            };
            try { await SiloHost.RunAsync(settings, parse.InvocationConfiguration.Output, cancel); }
            catch (ClusterStoreUnavailableException e) { throw new UserInputException(e.Message); }
            return 0;
        });
        return command;
    }
}
