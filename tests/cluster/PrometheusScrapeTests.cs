using System.Text.RegularExpressions;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MemristorGrid.Cluster.Tests;

/// <summary>
/// A silo process with <c>--metrics-port</c> serves a Prometheus scrape; after a job on the large model
/// (several chips, so interconnect traffic too) every series and label the dashboards query is in it —
/// the dashboards' names checked against a real exporter's translation, not only our own.
/// </summary>
public sealed partial class PrometheusScrapeTests : IDisposable
{
    private readonly Processes _processes = new();

    [Fact]
    public async Task A_silo_serves_every_series_the_dashboards_query_on_its_scrape_endpoint()
    {
        int metricsPort = 0;
        var (_, gateway) = await _processes.StartLocalSiloAsync(() => $"--metrics-port {metricsPort = EmbeddedCluster.FreePort()}");
        using var client = ClientHost.Build(new ClusterSettings { Gateways = [$"127.0.0.1:{gateway}"] });
        await client.StartAsync();
        var (net, bytes) = Repo.Model("gmm16.onnx");
        await ClusterJobRunner.RunAsync(client.Services.GetRequiredService<IClusterClient>(), bytes, "gmm16.onnx",
            Repo.Profile("rram-180nm"), new AnalogRunOptions { Seed = 9, LaneSize = 2 }, 4, []);
        await client.StopAsync();

        using var http = Processes.Authorized(TimeSpan.FromSeconds(30));
        string scrape = await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
        var series = new Dictionary<string, HashSet<string>>();
        foreach (Match m in SeriesRegex().Matches(scrape))
        {
            var labels = series.TryGetValue(m.Groups[1].Value, out var known) ? known : series[m.Groups[1].Value] = [];
            foreach (Match label in LabelRegex().Matches(m.Groups[2].Value)) labels.Add(label.Groups[1].Value);
        }
        Assert.Contains("memristorgrid_interconnect_bytes_total", series.Keys);
        // Buckets that fit the quantities: a tile's wall time in the µs–ms range lands in buckets of its own
        // (the SDK's defaults start at 0, 5, 10 … seconds and put every tile into the first).
        Assert.Contains("le=\"0.0001\"", string.Join('\n', scrape.Split('\n').Where(l => l.StartsWith("memristorgrid_tile_wall_time_seconds_bucket", StringComparison.Ordinal))));
        Assert.Contains("le=\"1E-09\"", string.Join('\n', scrape.Split('\n').Where(l => l.StartsWith("memristorgrid_tile_simulated_latency_seconds_bucket", StringComparison.Ordinal))).Replace("le=\"1e-09\"", "le=\"1E-09\""));

        var queries = DashboardTests.DashboardQueries().ToList();
        Assert.NotEmpty(queries);
        foreach (var (file, metric, labels) in queries)
        {
            Assert.True(series.TryGetValue(metric, out var served), $"{file} queries {metric}, which the silo's scrape does not serve");
            foreach (var label in labels.Except(DashboardTests.StandardLabels))
                Assert.True(served.Contains(label), $"{file}: {metric} is served without label {label} (it has {string.Join(", ", served)})");
        }
    }

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s", RegexOptions.Multiline)]
    private static partial Regex SeriesRegex();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""")]
    private static partial Regex LabelRegex();

    public void Dispose() => _processes.Dispose();
}
