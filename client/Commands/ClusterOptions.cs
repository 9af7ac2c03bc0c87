using System.CommandLine;
using MemristorGrid.Hosting;

namespace MemristorGrid.Client.Commands;

/// <summary>How a command reaches the grain cluster: an embedded silo (default), or a real cluster
/// through gateways or Redis; plus where telemetry goes.</summary>
internal sealed class ClusterOptions
{
    public readonly Option<string[]> Gateway = WithHostPortCheck(new("--gateway") { Description = "Join a running cluster through this gateway (host:port; repeatable).", AllowMultipleArgumentsPerToken = true });

    /// <summary>A malformed gateway is a usage error before anything runs or is written.</summary>
    private static Option<string[]> WithHostPortCheck(Option<string[]> option)
    {
        option.Validators.Add(r =>
        {
            foreach (var g in r.GetValueOrDefault<string[]>() ?? [])
            {
                int colon = g.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(g.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
                    r.AddError($"--gateway '{g}' is not host:port (e.g. 127.0.0.1:30000)");
            }
        });
        return option;
    }
    public readonly Option<string?> Redis = new("--redis") { Description = "Join the cluster registered in this Redis (StackExchange.Redis connection string, e.g. localhost:6379; its password from MEMGRID_REDIS_PASSWORD)." };
    public readonly Option<string?> Otlp = new("--otlp") { Description = "Export traces and metrics to this OTLP endpoint (default: OTEL_EXPORTER_OTLP_ENDPOINT)." };
    public readonly Option<string?> OtlpProtocol = new("--otlp-protocol")
    {
        Description = "OTLP transport: grpc (collector port 4317) or http/protobuf (port 4318) (default: OTEL_EXPORTER_OTLP_PROTOCOL, else grpc). A refused endpoint is warned about at start.",
    };
    public readonly Option<double?> TraceSampling = new("--trace-sampling")
    {
        Description = "Fraction of lane windows traced, each with its chip calls; a job's own spans are always kept (default: OTEL_TRACES_SAMPLER_ARG, else 0.1).",
    };
    public readonly Option<bool> ConsoleTelemetry = new("--console-telemetry") { Description = "Print traces and metrics to the console." };
    public readonly Option<int?> MetricsPort = new("--metrics-port")
    {
        Description = "Serve the embedded silo's web host on this port while the command runs: /jobs (live job page), /dashboard (Orleans Dashboard) and /metrics (Prometheus), "
            + "behind the token in MEMGRID_WEB_TOKEN (else one is printed). Listens on POD_IP, else loopback.",
    };
    public readonly Option<string> Placement = CommandOptions.Make("--placement",
        "local: every lane's tiles are served on its own silo and lanes are spread over the silos (scales out); chips: each chip's tiles on one silo, chips spread over the silos (a partitioned multi-chip deployment whose interconnect crosses processes) — for studying that interconnect: every chip call is a message between processes, so it runs several times slower than local, with the same samples.", "local");

    public ClusterOptions()
    {
        Placement.AcceptOnlyFromAmong("local", "chips");
        OtlpProtocol.AcceptOnlyFromAmong(ClusterSettings.OtlpProtocols);
        TraceSampling.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is { } ratio && !(ratio is >= 0 and <= 1)) r.AddError($"--trace-sampling must be a fraction in [0, 1], got {ratio}");
        });
        MetricsPort.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is { } port && port is < 1 or > 65_535) r.AddError($"--metrics-port must be a port in [1, 65535], got {port}");
        });
    }

    public IEnumerable<Option> All() => [Gateway, Redis, Placement, Otlp, OtlpProtocol, TraceSampling, ConsoleTelemetry, MetricsPort];

    /// <summary>The options, plus what a client takes from its environment like a silo does: the Redis
    /// password (MEMGRID_REDIS_PASSWORD), its TLS certificate (MEMGRID_TLS_CERT/KEY/CA), the cluster id (MEMGRID_CLUSTER_ID) and the OTLP endpoint and
    /// protocol (OTEL_EXPORTER_OTLP_*).</summary>
    public ClusterSettings Settings(ParseResult parse)
    {
        var environment = ClusterSettings.FromEnvironment();
        int metricsPort = parse.GetValue(MetricsPort) ?? 0;
        if (metricsPort > 0 && (parse.GetValue(Redis) is not null || parse.GetValue(Gateway) is { Length: > 0 }))
            throw new Engine.UserInputException("--metrics-port serves the embedded silo's pages; the silos of a joined cluster serve their own (memgrid silo --health-port)");
        return new()
        {
            MetricsPort = metricsPort,
            Redis = parse.GetValue(Redis),
            RedisPassword = environment.RedisPassword,
            Tls = environment.Tls,
            Gateways = parse.GetValue(Gateway) ?? [],
            ClusterId = environment.ClusterId,
            OtlpEndpoint = parse.GetValue(Otlp) ?? environment.OtlpEndpoint,
            OtlpProtocol = parse.GetValue(OtlpProtocol) ?? environment.OtlpProtocol,
            TraceSampling = parse.GetValue(TraceSampling) ?? environment.TraceSampling,
            ConsoleTelemetry = parse.GetValue(ConsoleTelemetry),
        };
    }

    /// <summary>The deployment's plan as its grain describes it, and which silo runs each tile (activating
    /// them), on the embedded silo or the named cluster.</summary>
    public async Task<(string Plan, GrainInterfaces.TilePlacement[] Placement)> PlacementAsync(ParseResult parse, byte[] modelBytes, string modelName,
        Engine.Profiles.HardwareProfile profile, ulong programSeed)
    {
        var spec = new GrainInterfaces.DeploymentSpec(modelBytes, modelName, profile.ToJson(), programSeed);
        await using var cluster = new ClusterMachine(Settings(parse));
        var deployment = (await cluster.GrainsAsync()).GetGrain<GrainInterfaces.IDeploymentGrain>(spec.Id());
        await deployment.DefineAsync(spec);
        return (await deployment.DescribePlanAsync(), await deployment.GetPlacementAsync());
    }
}
