using System.CommandLine;
using MemristorGrid.Engine.Accounting;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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
    public readonly Option<bool> ConsoleTelemetry = new("--console-telemetry") { Description = "Print traces and metrics to the console." };
    public readonly Option<string> Placement = CommandOptions.Make("--placement",
        "local: every lane's tiles are served on its own silo and lanes are spread over the silos (scales out); chips: each chip's tiles on one silo, chips spread over the silos (a partitioned multi-chip deployment whose interconnect crosses processes).", "local");

    public ClusterOptions() => Placement.AcceptOnlyFromAmong("local", "chips");

    public IEnumerable<Option> All() => [Gateway, Redis, Placement, Otlp, ConsoleTelemetry];

    /// <summary>The options, plus what a client takes from its environment like a silo does: the Redis
    /// password (MEMGRID_REDIS_PASSWORD), its TLS certificate (MEMGRID_TLS_CERT/KEY/CA), the cluster id (MEMGRID_CLUSTER_ID) and the OTLP endpoint and
    /// protocol (OTEL_EXPORTER_OTLP_*).</summary>
    public ClusterSettings Settings(ParseResult parse)
    {
        var environment = ClusterSettings.FromEnvironment();
        return new()
        {
            Redis = parse.GetValue(Redis),
            RedisPassword = environment.RedisPassword,
            Tls = environment.Tls,
            Gateways = parse.GetValue(Gateway) ?? [],
            ClusterId = environment.ClusterId,
            OtlpEndpoint = parse.GetValue(Otlp) ?? environment.OtlpEndpoint,
            OtlpProtocol = environment.OtlpProtocol,
            ConsoleTelemetry = parse.GetValue(ConsoleTelemetry),
        };
    }

    public bool JoinsCluster(ParseResult parse) => parse.GetValue(Redis) is not null || (parse.GetValue(Gateway)?.Length ?? 0) > 0;

    /// <summary>The deployment's plan as its grain describes it, and which silo runs each tile (activating
    /// them), on the embedded silo or the named cluster.</summary>
    public async Task<(string Plan, GrainInterfaces.TilePlacement[] Placement)> PlacementAsync(ParseResult parse, byte[] modelBytes, string modelName,
        Engine.Profiles.HardwareProfile profile, ulong programSeed)
    {
        var spec = new GrainInterfaces.DeploymentSpec(modelBytes, modelName, profile.ToJson(), programSeed);
        async Task<(string, GrainInterfaces.TilePlacement[])> Ask(IGrainFactory grains)
        {
            var deployment = grains.GetGrain<GrainInterfaces.IDeploymentGrain>(spec.Id());
            await deployment.DefineAsync(spec);
            return (await deployment.DescribePlanAsync(), await deployment.GetPlacementAsync());
        }
        return await WithClusterAsync(parse, Ask);
    }

    /// <summary><see cref="WithClusterAsync{T}"/> for work without a result.</summary>
    public Task WithClusterAsync(ParseResult parse, Func<IGrainFactory, Task> work, CancellationToken cancel = default) =>
        WithClusterAsync(parse, async grains => { await work(grains); return true; }, cancel);

    /// <summary>Runs <paramref name="work"/> against the embedded silo (started for it and stopped after) or the named cluster.</summary>
    public async Task<T> WithClusterAsync<T>(ParseResult parse, Func<IGrainFactory, Task<T>> work, CancellationToken cancel = default)
    {
        var settings = Settings(parse);
        if (!JoinsCluster(parse))
        {
            await using var embedded = await EmbeddedCluster.StartAsync(settings, cancel: cancel);
            return await work(embedded.Client);
        }
        using var host = ClientHost.Build(settings);
        try { await host.StartAsync(cancel); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // StackExchange.Redis appends advice on abortConnect to its first sentence: the sentence is the news.
            string reason = e.Message.Split(". ", 2)[0].TrimEnd('.');
            throw new Engine.UserInputException($"cannot join the cluster ({(settings.Redis is not null ? $"redis {settings.Redis}" : string.Join(", ", settings.Gateways))}): {reason}");
        }
        try { return await work(host.Services.GetRequiredService<IClusterClient>()); }
        finally { await host.StopAsync(); }
    }

    /// <summary>Runs the job on the embedded silo or on the cluster the options name.</summary>
    public Task<AnalogRunResult> RunJobAsync(ParseResult parse, AnalogRunArguments.Resolved r, IProgress<double> progress, CancellationToken cancel) =>
        WithClusterAsync(parse, grains => ClusterJobRunner.RunAsync(grains, r.ModelBytes, Path.GetFileName(r.ModelPath), r.Profile, r.Options, r.Count, r.Labels, progress,
            placement: parse.GetValue(Placement) == "chips" ? GrainInterfaces.TilePlacementMode.Chips : GrainInterfaces.TilePlacementMode.Local, cancel: cancel), cancel);
}
