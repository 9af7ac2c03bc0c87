using System.Diagnostics;
using MemristorGrid.Hosting.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace MemristorGrid.Cluster.Tests;

/// <summary>The trace sampler: every job span kept, a fraction of lane windows, and everything under a window
/// (Orleans' span of each chip call, our chip spans) kept exactly when its window is.</summary>
public sealed class LaneWindowSamplerTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(0.0)]
    public void Windows_are_kept_at_the_ratio_with_everything_under_them(double ratio)
    {
        using var source = new ActivitySource($"sampler-test-{Guid.NewGuid():N}");
        var exported = new List<Activity>();
        using (var provider = Sdk.CreateTracerProviderBuilder().AddSource(source.Name).SetSampler(new LaneWindowSampler(ratio))
            .AddProcessor(new SkippedWindowFilter()).AddInMemoryExporter(exported).Build())
        {
            using var job = source.StartActivity("job");
            for (int w = 0; w < 2000; w++)
            {
                using var window = source.StartActivity(LaneWindowSampler.WindowSpan, ActivityKind.Internal, parentContext: default,
                    tags: [new("lane", $"job/lane-{w % 40}"), new("segments", $"{w / 40 * 8}..{w / 40 * 8 + 8}")]);
                using var call = source.StartActivity("IChipGrain/EvaluateAsync", ActivityKind.Client);
                using var chip = source.StartActivity("chip.evaluate");
            }
        }
        Assert.Single(exported, a => a.DisplayName == "job");
        int windows = exported.Count(a => a.DisplayName == LaneWindowSampler.WindowSpan);
        Assert.InRange(windows, (int)(2000 * ratio - 4 * Math.Sqrt(2000 * ratio * (1 - ratio))), (int)Math.Ceiling(2000 * ratio + 4 * Math.Sqrt(2000 * ratio * (1 - ratio))));
        Assert.Equal(windows, exported.Count(a => a.DisplayName == "IChipGrain/EvaluateAsync"));
        Assert.Equal(windows, exported.Count(a => a.DisplayName == "chip.evaluate"));
        // Nothing hangs from the job span except kept windows.
        var keptWindows = exported.Where(a => a.DisplayName == LaneWindowSampler.WindowSpan).Select(a => a.SpanId).ToHashSet();
        Assert.All(exported.Where(a => a.DisplayName == "IChipGrain/EvaluateAsync"), a => Assert.Contains(a.ParentSpanId, keptWindows));
        // The callee's side of a call whose caller's span was dropped has no parent: such roots are dropped; a run is kept.
        using (Sdk.CreateTracerProviderBuilder().AddSource(source.Name).SetSampler(new LaneWindowSampler(ratio))
            .AddProcessor(new SkippedWindowFilter()).AddInMemoryExporter(exported).Build())
        {
            exported.Clear();
            using (source.StartActivity("IChipGrain/EvaluateAsync", ActivityKind.Server)) { }
            using (source.StartActivity("memgrid.run", ActivityKind.Client)) { }
        }
        Assert.Equal(["memgrid.run"], exported.Select(a => a.DisplayName));
    }
}
