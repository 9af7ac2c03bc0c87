using System.Collections.Concurrent;
using System.Net;
using System.Text;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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
        };
        var (_, gateway) = await _processes.StartLocalSiloAsync(() => $"--otlp http://127.0.0.1:{port}", environment);
        using var client = ClientHost.Build(new ClusterSettings { Gateways = [$"127.0.0.1:{gateway}"] });
        await client.StartAsync();

        var (net, bytes) = Repo.Model("ring.onnx");
        var options = new AnalogRunOptions { ScheduleScale = 2, Seed = 2, LaneSize = 100 };
        var grains = client.Services.GetRequiredService<IClusterClient>();
        await ClusterJobRunner.RunAsync(grains, bytes, "ring.onnx", Repo.Profile("rram-180nm"), options, 200, []);

        await Processes.WaitFor(() => Arrived("/v1/traces", "chip.evaluate") && Arrived("/v1/traces", "lane.window")
            && Arrived("/v1/metrics", "memristorgrid.tile.energy") && Arrived("/v1/metrics", "memristorgrid.tile.wall_time"), "OTLP data", 30);
        await client.StopAsync();
    }

    /// <summary>The CLI's embedded silo honours OTEL_EXPORTER_OTLP_PROTOCOL like a silo process: with
    /// http/protobuf its spans and metrics go to /v1/traces and /v1/metrics (the client used to post to /).</summary>
    [Fact]
    public async Task The_cli_exports_over_otlp_http_to_the_signal_paths()
    {
        int port = StartReceiver();
        var environment = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf", ["OTEL_BSP_SCHEDULE_DELAY"] = "200" };
        string memgrid = Path.Combine(AppContext.BaseDirectory, "memgrid.dll");
        string outDir = Repo.TempDir(create: false);
        var run = _processes.Start("dotnet", $"\"{memgrid}\" run --model \"{Repo.ModelPath("ring.onnx")}\" --samples 200 --otlp http://127.0.0.1:{port} --out \"{outDir}\"", "dotnet not found", environment);
        Assert.True(run.WaitForExit(120_000), "memgrid run did not finish");
        Assert.True(run.ExitCode == 0, _processes.Tail(run));
        // Any spans: which ones survive is the batch exporter's business (under load its queue drops the
        // last ones, the client's own span among them); the paths are what this test is about.
        await Processes.WaitFor(() => Arrived("/v1/traces", "") && Arrived("/v1/metrics", "memristorgrid.tile.energy"),
            $"OTLP data from the CLI (received: {string.Join(", ", _received.Select(p => $"{p.Key} ×{p.Value.Count}"))})", 30);
        Assert.False(_received.ContainsKey("/"), "nothing is posted to the bare endpoint");
    }

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
    }
}
