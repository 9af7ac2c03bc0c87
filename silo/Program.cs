using MemristorGrid.Grains.Hosting;

// The silo host. Settings come from the environment (MEMGRID_REDIS, MEMGRID_SILO_PORT,
// MEMGRID_GATEWAY_PORT, MEMGRID_HEALTH_PORT, MEMGRID_CLUSTER_ID, POD_IP, OTEL_EXPORTER_OTLP_ENDPOINT —
// what a pod gets) and may be overridden by --redis, --port, --gateway-port, --health-port and --otlp.
// /healthz and /ready (ready once the silo joined the cluster) serve probes; SIGTERM stops it gracefully.
var settings = ClusterSettings.FromEnvironment();
for (int i = 0; i + 1 < args.Length; i += 2)
{
    settings = args[i] switch
    {
        "--redis" => settings with { Redis = args[i + 1] },
        "--port" => settings with { SiloPort = int.Parse(args[i + 1]) },
        "--gateway-port" => settings with { GatewayPort = int.Parse(args[i + 1]) },
        "--health-port" => settings with { HealthPort = int.Parse(args[i + 1]) },
        "--otlp" => settings with { OtlpEndpoint = args[i + 1] },
        _ => throw new ArgumentException($"unknown option {args[i]} (expected --redis, --port, --gateway-port, --health-port, --otlp)"),
    };
}
await SiloHost.RunAsync(settings, Console.Out);
