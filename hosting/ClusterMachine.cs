using MemristorGrid.Engine;
using MemristorGrid.Engine.Accounting;
using System.Runtime.InteropServices;
using MemristorGrid.Engine.Graphs.Analog;
using MemristorGrid.Engine.Runs;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Grains.Wire;
using MemristorGrid.GrainInterfaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MemristorGrid.Hosting;

/// <summary>
/// The analog machine as the grain cluster: an embedded in-process silo (started at the first job, stopped on
/// dispose), or a running cluster joined through gateways or Redis. Every job goes to the job grain through
/// <see cref="ClusterJobRunner"/>; the client builds no lane driver and no plan.
/// </summary>
public sealed class ClusterMachine(ClusterSettings settings, TilePlacementMode placement = TilePlacementMode.Local) : IAnalogMachine, IScoringMachine, IAsyncDisposable
{
    private readonly SemaphoreSlim _connect = new(1, 1);
    private EmbeddedCluster? _embedded;
    private IHost? _client;
    private IGrainFactory? _grains;

    /// <summary>Where the machine's notices go (the web address of an embedded silo's pages, a job resumed, scoring left to the client).</summary>
    public Action<string> Notice { get; init; } = Console.Error.WriteLine;

    /// <summary>Every job a new one (<c>--new-job</c>), instead of its request's content address.</summary>
    public bool NewJobs { get; init; }

    /// <summary>True when it joins a running cluster (Redis or gateways), false for an embedded silo.</summary>
    public bool JoinsCluster => settings.Redis is not null || settings.Gateways.Count > 0;

    public string Name => JoinsCluster ? "cluster" : "embedded-silo";
    public string? Placement => placement == TilePlacementMode.Chips ? "chips" : "local";
    public string Description => $"{(JoinsCluster ? "cluster" : "embedded silo")} ({Placement} placement)";

    /// <summary>The cluster's grains: the embedded silo is started, or the cluster joined, on first use.</summary>
    public async Task<IGrainFactory> GrainsAsync(CancellationToken cancel = default)
    {
        if (_grains is { } known) return known;
        await _connect.WaitAsync(cancel);
        try
        {
            if (_grains is not null) return _grains;
            if (!JoinsCluster)
            {
                _embedded = await EmbeddedCluster.StartAsync(settings, cancel: cancel);
                if (_embedded.WebAnnouncement is { } web) Notice(web);
                return _grains = _embedded.Client;
            }
            var host = ClientHost.Build(settings);
            try { await host.StartAsync(cancel); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                host.Dispose();
                // StackExchange.Redis appends advice on abortConnect to its first sentence: the sentence is the news.
                string reason = e.Message.Split(". ", 2)[0].TrimEnd('.');
                if (Diagnostics.ShowStackTraces) Console.Error.WriteLine(e);
                throw new UserInputException($"cannot join the cluster ({(settings.Redis is not null ? $"redis {settings.Redis}" : string.Join(", ", settings.Gateways))}): {reason}{GatewayHint(e)}");
            }
            _client = host;
            return _grains = host.Services.GetRequiredService<IClusterClient>();
        }
        finally { _connect.Release(); }
    }

    /// <summary>
    /// Gateways that exist but all refuse the connection are, more often than not, a TLS mismatch: the handshake fails and the
    /// gateway closes the connection, which is all the client sees (Orleans says only "unable to connect to any of the N
    /// available gateways"). Say which side of TLS this client is on.
    /// </summary>
    private string GatewayHint(Exception e) =>
        !Diagnostics.Messages(e).Contains("available gateways", StringComparison.Ordinal) ? ""
        : settings.Tls is null
            ? "; they are registered but refused this client, which has no TLS certificate — if the cluster uses TLS, set MEMGRID_TLS_CERT, MEMGRID_TLS_KEY and MEMGRID_TLS_CA"
            : $"; they are registered but refused this client's TLS certificate ({Path.GetFileName(settings.Tls.Certificate)}), or it does not trust theirs — check that MEMGRID_TLS_CA is the authority that signed both";

    /// <summary>Runs the job; a job with an id runs as grain "ID-PLACEMENT", so a resumed sweep cell finds its own job
    /// and the same cell under the other placement is another job; one without runs as its request's content address, so
    /// the same command run again after its client died resumes the job (placement is part of the content).</summary>
    public async Task<AnalogRunResult> RunAsync(AnalogJob job, IProgress<double>? progress, CancellationToken cancel) =>
        await ClusterJobRunner.RunAsync(await GrainsAsync(cancel), job.ModelBytes, job.ModelName, job.Profile, job.Options, job.Count, job.Labels, progress,
            jobId: job.JobId is { } id ? $"{id}-{Placement}" : NewJobs ? $"job-{Guid.NewGuid():N}" : null, placement: placement, cancel: cancel, notice: Notice);

    /// <summary>A run joined to a cluster is scored on a silo, whose cores are its own; an embedded silo shares the client's process,
    /// which scores as it would have.</summary>
    public async Task<IRemoteScoring?> BeginScoringAsync(RunRequest request, CancellationToken cancel) =>
        JoinsCluster && ClusterScoring.Scores(request) ? ClusterScoring.Begin(await GrainsAsync(cancel), request, Notice) : null;

    /// <summary>A general graph's job (a U-Net) on the cluster: the machine as the client programmed and designed it (its gain staging
    /// and RC travel with the deployment), the result accounted against the same design.</summary>
    public async Task<GraphRunResult> RunGraphAsync(byte[] modelBytes, string modelName, AnalogGraph machine, GraphLoopDesign design, AnalogRunOptions options,
        int count, int[] labels, IProgress<double>? progress, CancellationToken cancel)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var data = await ClusterJobRunner.RunGraphAsync(await GrainsAsync(cancel), modelBytes, modelName, design.Profile, GraphDeployment.StagingBytes(machine.Ranges),
            options, count, labels, progress, NewJobs ? $"job-{Guid.NewGuid():N}" : null, placement: placement, cancel: cancel, notice: Notice);
        return GraphRunResult.Of(MemoryMarshal.Cast<byte, float>(data.Samples).ToArray(), data.Labels, data.Dim, data.Counters.ToEngine(),
            MemoryMarshal.Cast<byte, double>(data.TileCellEnergyJoules).ToArray(), data.TileMvms, design, RunTiming.Of(design.Profile, options), stopwatch.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null) await _embedded.DisposeAsync();
        if (_client is not null)
        {
            await _client.StopAsync();
            _client.Dispose();
        }
        _connect.Dispose();
    }
}
