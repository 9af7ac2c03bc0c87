using MemristorGrid.Engine.Runs;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Grains.Telemetry;
using MemristorGrid.Hosting;

namespace MemristorGrid.Cluster.Tests;

/// <summary>
/// Every metric and label a dashboard queries must be one the running code emits: a MeterListener
/// records the instruments (with their units and attribute keys) of a real job on an embedded silo,
/// their names are converted the way the collector's Prometheus exporter converts OTLP names, and each
/// PromQL expression in the dashboards is checked against that set. The dashboards must also be valid
/// Grafana JSON using the provisioned data source uids.
/// </summary>
[Collection(AloneCollection.Name)]
public partial class DashboardTests
{
    /// <summary>Labels Prometheus or the collector add themselves (or that histograms carry).</summary>
    internal static readonly string[] StandardLabels = ["le", "job", "instance", "service_name", "quantile"];

    private static string[] DashboardFiles() =>
        Directory.GetFiles(Path.Combine(Repo.Root(), "k8s", "observability", "dashboards"), "*.json");

    /// <summary>Every (dashboard file, metric, labels) a Prometheus panel of a dashboard queries.</summary>
    internal static IEnumerable<(string File, string Metric, List<string> Labels)> DashboardQueries()
    {
        foreach (var file in DashboardFiles())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var panel in doc.RootElement.GetProperty("panels").EnumerateArray())
                foreach (var target in panel.GetProperty("targets").EnumerateArray())
                    if (target.GetProperty("datasource").GetProperty("uid").GetString() == "prometheus")
                        foreach (var (metric, labels) in Selectors(target.GetProperty("expr").GetString()!))
                            yield return (Path.GetFileName(file), metric, labels);
        }
    }

    private sealed record Emitted(string Name, string Unit, bool Monotonic, bool Histogram, HashSet<string> Labels);

    private static readonly Dictionary<string, string> Units = new()
    {
        ["s"] = "seconds",
        ["ms"] = "milliseconds",
        ["By"] = "bytes",
        ["J"] = "joules",
        ["W"] = "watts",
        ["1"] = "ratio",
    };

    /// <summary>The OTLP → Prometheus name translation (dots to underscores, unit suffix, _total for monotonic sums).</summary>
    private static IEnumerable<string> PrometheusNames(Emitted e)
    {
        string name = Regex.Replace(e.Name, "[^a-zA-Z0-9_:]", "_");
        if (!e.Unit.StartsWith('{') && Units.TryGetValue(e.Unit, out var unit) && !name.EndsWith("_" + unit, StringComparison.Ordinal))
            name += "_" + unit;
        if (e.Histogram) return [name + "_bucket", name + "_sum", name + "_count"];
        return [e.Monotonic ? name + "_total" : name];
    }

    private static async Task<List<Emitted>> RecordInstrumentsAsync()
    {
        var seen = new ConcurrentDictionary<string, Emitted>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name is Instruments.Name or "Microsoft.Orleans") l.EnableMeasurementEvents(instrument);
        };
        void Record<T>(Instrument instrument, T _, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? __) where T : struct
        {
            var e = seen.GetOrAdd(instrument.Name, _ => new Emitted(instrument.Name, instrument.Unit ?? "",
                instrument is Counter<T> or ObservableCounter<T>, instrument is Histogram<T>, []));
            lock (e.Labels) foreach (var tag in tags) e.Labels.Add(Regex.Replace(tag.Key, "[^a-zA-Z0-9_]", "_"));
        }
        listener.SetMeasurementEventCallback<long>(Record);
        listener.SetMeasurementEventCallback<double>(Record);
        listener.SetMeasurementEventCallback<int>(Record);
        listener.Start();

        await using var cluster = await EmbeddedCluster.StartAsync();
        var (net, bytes) = Repo.Model("gmm16.onnx");
        await ClusterJobRunner.RunAsync(cluster.Client, bytes, "gmm16.onnx", Repo.Profile("rram-180nm"), new AnalogRunOptions { Seed = 9, LaneSize = 2 }, 4, []);
        listener.RecordObservableInstruments();
        return seen.Values.ToList();
    }

    [Fact]
    public async Task Dashboards_query_only_what_the_code_emits_with_provisioned_datasources()
    {
        var emitted = await RecordInstrumentsAsync();
        var known = new Dictionary<string, Emitted>();
        foreach (var e in emitted) foreach (var name in PrometheusNames(e)) known[name] = e;
        Assert.Contains("memristorgrid_tile_energy_joules_total", known.Keys);
        Assert.Contains("memristorgrid_interconnect_bytes_total", known.Keys);

        var dashboards = DashboardFiles();
        Assert.NotEmpty(dashboards);
        foreach (var file in dashboards)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var root = doc.RootElement;
            Assert.False(string.IsNullOrEmpty(root.GetProperty("uid").GetString()));
            Assert.False(string.IsNullOrEmpty(root.GetProperty("title").GetString()));
            Assert.True(root.GetProperty("schemaVersion").GetInt32() >= 30);
            var panels = root.GetProperty("panels").EnumerateArray().ToList();
            Assert.NotEmpty(panels);
            var ids = new HashSet<int>();
            foreach (var panel in panels)
            {
                Assert.True(ids.Add(panel.GetProperty("id").GetInt32()), $"{file}: duplicate panel id");
                var gridPos = panel.GetProperty("gridPos");
                foreach (var key in new[] { "h", "w", "x", "y" }) Assert.True(gridPos.TryGetProperty(key, out _), $"{file}: gridPos.{key}");
                string uid = panel.GetProperty("datasource").GetProperty("uid").GetString()!;
                Assert.Contains(uid, new[] { "prometheus", "tempo" });
                foreach (var target in panel.GetProperty("targets").EnumerateArray())
                    Assert.Equal(uid, target.GetProperty("datasource").GetProperty("uid").GetString());
            }
        }
        foreach (var (file, metric, labels) in DashboardQueries())
        {
            Assert.True(known.TryGetValue(metric, out var instrument), $"{file} queries {metric}, which no instrument emits (emitted: {string.Join(", ", known.Keys.Order())})");
            foreach (var label in labels)
                Assert.True(instrument.Labels.Contains(label) || StandardLabels.Contains(label), $"{metric} has no label {label} (it has {string.Join(", ", instrument.Labels)})");
        }

        // Tempo panels use valid TraceQL: conditions inside one span selector, not a pipeline on durations.
        foreach (var file in dashboards)
            foreach (Match q in Regex.Matches(File.ReadAllText(file), "\"query\":\\s*\"(\\{[^\"]*(?:\\\\\"[^\"]*)*)\""))
                Assert.DoesNotMatch(@"\}\s*\|\s*duration", q.Groups[1].Value);
        // Behind the collector, Prometheus keeps each silo's own labels.
        Assert.Contains("honor_labels: true", File.ReadAllText(Path.Combine(Repo.Root(), "k8s", "observability", "config", "prometheus.yml")));

        // The data sources the dashboards use are the ones Grafana is provisioned with.
        string datasources = File.ReadAllText(Path.Combine(Repo.Root(), "k8s", "observability", "config", "datasources.yaml"));
        Assert.Contains("uid: prometheus", datasources);
        Assert.Contains("uid: tempo", datasources);
    }

    /// <summary>Metric names in an expression, each with the labels used with it: its own selector's
    /// matchers and the by/without labels of every aggregation whose argument contains it.</summary>
    private static IEnumerable<(string Metric, List<string> Labels)> Selectors(string expr)
    {
        var scopes = new List<(int Start, int End, string[] Labels)>();
        var groupings = GroupingRegex().Matches(expr);
        foreach (Match g in groupings)
        {
            int open = expr.IndexOf('(', g.Index + g.Length);
            if (open < 0) continue;
            int depth = 0, close = open;
            for (; close < expr.Length; close++)
            {
                if (expr[close] == '(') depth++;
                else if (expr[close] == ')' && --depth == 0) break;
            }
            scopes.Add((open, close, g.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)));
        }
        var functions = new HashSet<string> { "sum", "rate", "irate", "increase", "max", "min", "avg", "count", "histogram_quantile", "by", "without", "topk", "bottomk", "clamp_min", "clamp_max", "sort_desc", "scalar", "label_replace", "vector", "on", "ignoring", "group_left", "group_right", "offset", "and", "or", "unless", "abs", "delta", "deriv", "max_over_time", "min_over_time", "avg_over_time", "last_over_time", "timestamp" };
        foreach (Match m in MetricRegex().Matches(expr))
        {
            string name = m.Groups[1].Value;
            if (functions.Contains(name)) continue;
            if (LabelListRegex().Matches(expr).Any(g => m.Index >= g.Index && m.Index < g.Index + g.Length)) continue; // a label inside by(...), on(...) …
            var labels = m.Groups[2].Success
                ? LabelRegex().Matches(m.Groups[2].Value).Select(l => l.Groups[1].Value).ToList()
                : [];
            foreach (var scope in scopes.Where(sc => m.Index > sc.Start && m.Index < sc.End)) labels.AddRange(scope.Labels);
            yield return (name, labels);
        }
    }

    [GeneratedRegex(@"\b(?:by|without)\s*\(([^)]*)\)")]
    private static partial Regex GroupingRegex();

    /// <summary>Label lists of aggregations and of vector matching (<c>on (deployment) group_left</c>): names in them are labels, not metrics.</summary>
    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")]
    private static partial Regex LabelListRegex();

    [GeneratedRegex(@"(?<![\w""'$])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?(?=\s*(?:\{|\[|\)|$|\s|,|/|\*|\+|-))")]
    private static partial Regex MetricRegex();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!=|!~|=)")]
    private static partial Regex LabelRegex();
}
