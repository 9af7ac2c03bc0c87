using System.Collections.Concurrent;
using System.Net;
using System.Text;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace MemristorGrid.Cluster.Tests;

/// <summary>A silo process exporting to an OTLP/HTTP receiver in the test: tile spans and tile energy
/// metrics must arrive over the wire.</summary>
public sealed class OtlpExportTests : IDisposable
{
    private readonly Processes _processes = new();
    private readonly HttpListener _receiver = new();
    private readonly ConcurrentDictionary<string, ConcurrentBag<byte[]>> _received = new();

    [Fact]
    public async Task A_silo_exports_tile_spans_and_energy_metrics_over_otlp()
    {
        int port = StartReceiver();

        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["POD_NAME"] = "silo-7d9f8c6b5-xk2pq",
        };
        var (_, gateway) = await _processes.StartLocalSiloAsync(() => $"--otlp http://127.0.0.1:{port} --trace-sampling 1", environment); // every window: the test waits for one
        using var client = ClientHost.Build(new ClusterSettings { Gateways = [$"127.0.0.1:{gateway}"] });
        await client.StartAsync();

        var (net, bytes) = Repo.Model("ring.onnx");
        var options = new AnalogRunOptions { ScheduleScale = 2, Seed = 2, LaneSize = 100 };
        var grains = client.Services.GetRequiredService<IClusterClient>();
        await ClusterJobRunner.RunAsync(grains, bytes, "ring.onnx", Repo.Profile("rram-180nm"), options, 200, []);

        await Processes.WaitFor(() => Arrived("/v1/traces", "chip.evaluate") && Arrived("/v1/traces", "lane.window")
            && Arrived("/v1/metrics", "memristorgrid.tile.energy") && Arrived("/v1/metrics", "memristorgrid.tile.wall_time"), "OTLP data", 30);
        // The silo is named by its pod (service.instance.id, the collector's instance label), not by a random id.
        Assert.True(Arrived("/v1/metrics", "silo-7d9f8c6b5-xk2pq") && Arrived("/v1/traces", "silo-7d9f8c6b5-xk2pq"), "POD_NAME is not the service instance id");
        await client.StopAsync();
    }

    /// <summary>The CLI's embedded silo exports over either transport, chosen by <c>--otlp-protocol</c>: OTLP/HTTP posts to
    /// /v1/traces and /v1/metrics (the client once posted to /), OTLP/gRPC calls the collector services over HTTP/2 —
    /// received here by a real gRPC-speaking Kestrel endpoint. Both carry traces and metrics; no warning is printed.</summary>
    [Theory]
    [InlineData("http/protobuf")]
    [InlineData("grpc")]
    public async Task The_cli_exports_traces_and_metrics_over_either_otlp_transport(string protocol)
    {
        bool grpc = protocol == "grpc";
        int port = grpc ? await StartGrpcReceiverAsync() : StartReceiver();
        var run = RunCli($"--otlp http://127.0.0.1:{port} --otlp-protocol {protocol} --trace-sampling 1", 200);
        string traces = grpc ? GrpcTraces : "/v1/traces", metrics = grpc ? GrpcMetrics : "/v1/metrics";
        // Any spans: which ones survive is the batch exporter's business (under load its queue drops the
        // last ones, the client's own span among them); the paths are what this test is about.
        await Processes.WaitFor(() => Arrived(traces, "lane.window") && Arrived(metrics, "memristorgrid.tile.energy"),
            $"OTLP data from the CLI (received: {string.Join(", ", _received.Select(p => $"{p.Key} ×{p.Value.Count}"))})", 30);
        Assert.False(_received.ContainsKey("/"), "nothing is posted to the bare endpoint");
        Assert.DoesNotContain("warning:", _processes.Tail(run), StringComparison.Ordinal);
    }

    /// <summary>An endpoint that speaks the other transport, or nothing at all, is named in one warning line at start;
    /// the run itself goes on and succeeds.</summary>
    [Theory]
    [InlineData("grpc", "If it is an OTLP/HTTP receiver, use --otlp-protocol http/protobuf (port 4318)")]
    [InlineData("http/protobuf", "If it is an OTLP/gRPC receiver, use --otlp-protocol grpc (port 4317)")]
    [InlineData("none", "nothing accepts connections at the OTLP endpoint")]
    public async Task A_refusing_otlp_endpoint_is_warned_about(string protocol, string advice)
    {
        int port = protocol switch { "grpc" => StartReceiver(), "http/protobuf" => await StartGrpcReceiverAsync(), _ => EmbeddedCluster.FreePort() };
        var run = RunCli($"--otlp http://127.0.0.1:{port}{(protocol == "none" ? "" : $" --otlp-protocol {protocol}")}", 50);
        string output = _processes.Tail(run);
        Assert.Single(output.Split('\n'), l => l.StartsWith("warning: ", StringComparison.Ordinal) && l.Contains("OTLP endpoint", StringComparison.Ordinal));
        Assert.Contains(advice, output, StringComparison.Ordinal);
    }

    /// <summary>Trace volume: with every lane window traced a run's spans grow with its samples (≈ 2.6 kB each);
    /// the default keeps a tenth of the windows and every job span.</summary>
    [Fact]
    public async Task Default_sampling_keeps_a_fraction_of_the_lane_windows()
    {
        int port = StartReceiver();
        RunCli($"--otlp http://127.0.0.1:{port} --otlp-protocol http/protobuf --trace-sampling 1 --lane-size 25", 2000);
        await Processes.WaitFor(() => Arrived("/v1/traces", "memgrid.run"), "the full run's traces", 30);
        long all = Bytes("/v1/traces");
        int allWindows = Count("/v1/traces", "lane.window");
        _received.Clear();
        RunCli($"--otlp http://127.0.0.1:{port} --otlp-protocol http/protobuf --lane-size 25", 2000);
        await Processes.WaitFor(() => Arrived("/v1/traces", "memgrid.run"), "the sampled run's own span (always kept)", 30);
        long sampled = Bytes("/v1/traces");
        Assert.True(allWindows >= 100, $"only {allWindows} windows were traced at ratio 1");
        Assert.InRange((double)sampled / all, 0.02, 0.35);
    }

    private const string GrpcTraces = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private const string GrpcMetrics = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

    private System.Diagnostics.Process RunCli(string telemetry, int samples)
    {
        // A queue that holds every span of these runs: the batch exporter would otherwise drop some under load.
        var environment = new Dictionary<string, string> { ["OTEL_BSP_SCHEDULE_DELAY"] = "200", ["OTEL_METRIC_EXPORT_INTERVAL"] = "500", ["OTEL_BSP_MAX_QUEUE_SIZE"] = "200000" };
        string memgrid = Path.Combine(AppContext.BaseDirectory, "memgrid.dll");
        string outDir = Repo.TempDir(create: false);
        var run = _processes.Start("dotnet", $"\"{memgrid}\" run --model \"{Repo.ModelPath("ring.onnx")}\" --samples {samples} {telemetry} --out \"{outDir}\"", "dotnet not found", environment);
        Assert.True(run.WaitForExit(120_000), "memgrid run did not finish");
        run.WaitForExit();
        Assert.True(run.ExitCode == 0, _processes.Tail(run));
        return run;
    }

    private long Bytes(string path) => _received.TryGetValue(path, out var bodies) ? bodies.Sum(b => (long)b.Length) : 0;

    private int Count(string path, string text) => _received.TryGetValue(path, out var bodies)
        ? bodies.Sum(b => System.Text.RegularExpressions.Regex.Count(Encoding.UTF8.GetString(b), System.Text.RegularExpressions.Regex.Escape(text))) : 0;

    /// <summary>A gRPC endpoint as a collector serves it: HTTP/2 without TLS (prior knowledge), each call answered with an
    /// empty response message and grpc-status 0 in the trailers. Returns its port.</summary>
    private async Task<int> StartGrpcReceiverAsync()
    {
        int port = EmbeddedCluster.FreePort();
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, o => o.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            _received.GetOrAdd(context.Request.Path, _ => []).Add(body.ToArray());
            context.Response.ContentType = "application/grpc";
            Microsoft.AspNetCore.Http.ResponseTrailerExtensions.AppendTrailer(context.Response, "grpc-status", "0");
            await context.Response.Body.WriteAsync(new byte[5]); // an uncompressed, empty Export…ServiceResponse
        });
        await app.StartAsync();
        _grpc = app;
        return port;
    }

    private Microsoft.AspNetCore.Builder.WebApplication? _grpc;

    private bool Arrived(string path, string text) => _received.TryGetValue(path, out var bodies)
        && bodies.Any(b => Encoding.UTF8.GetString(b).Contains(text, StringComparison.Ordinal));

    /// <summary>Starts the test's OTLP/HTTP receiver on a free port and returns the port.</summary>
    private int StartReceiver()
    {
        int port = EmbeddedCluster.FreePort();
        _receiver.Prefixes.Add($"http://127.0.0.1:{port}/");
        _receiver.Start();
        _ = Task.Run(ReceiveAsync);
        return port;
    }

    private async Task ReceiveAsync()
    {
        while (_receiver.IsListening)
        {
            HttpListenerContext context;
            try { context = await _receiver.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _received.GetOrAdd(context.Request.Url!.AbsolutePath, _ => []).Add(body.ToArray());
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _processes.Dispose();
        _receiver.Close();
        _grpc?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
