using System.Diagnostics;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace MemristorGrid.Hosting.Telemetry;

/// <summary>
/// Keeps every job's own spans (<c>memgrid.run</c>, <c>job</c>) and a fraction <see cref="Ratio"/> of its lane windows,
/// each with everything under it. Orleans makes a span of every grain call, so a window's chip calls are most of a
/// trace: ≈ 2.6 kB of spans per sample when every window is kept. The choice is a hash of the trace, lane and
/// segment range, so a re-driven window is kept or dropped as before.
/// </summary>
/// <remarks>
/// A window left out must still exist: not created, the spans under it would hang from the job's span and be kept.
/// So it is created (record-only) carrying <see cref="SkipMarker"/> in its W3C tracestate; every span whose parent
/// carries the marker is dropped. A record-only child of a sampled span inherits the sampled flag, and Orleans passes
/// only traceparent (flags included), not tracestate, to the grain it calls: <see cref="SkippedWindowFilter"/> clears
/// the skipped window's sampled flag as it starts, so the spans of the calls it makes are dropped on the callee's
/// silo too, and keeps the window itself from the exporters.
/// </remarks>
public sealed class LaneWindowSampler : Sampler
{
    public const string WindowSpan = "lane.window";
    public const string SkipMarker = "memgrid=skip";

    /// <summary>The spans a trace may start with: a client's run, a job (re-activated on another silo without its caller).</summary>
    public static readonly IReadOnlySet<string> Roots = new HashSet<string>(["memgrid.run", "job"]);

    public LaneWindowSampler(double ratio)
    {
        if (!(ratio is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "a sampling ratio is in [0, 1]");
        Ratio = ratio;
        Description = $"LaneWindowSampler{{{ratio}}}";
    }

    public double Ratio { get; }

    public override SamplingResult ShouldSample(in SamplingParameters parameters)
    {
        var parent = parameters.ParentContext;
        if (IsSkipped(parent.TraceState)) return new SamplingResult(SamplingDecision.Drop);
        // A job is what a user looks for: kept even when the call that started it was not traced.
        if (Roots.Contains(parameters.Name)) return new SamplingResult(SamplingDecision.RecordAndSample);
        // A parent that was not recorded: nothing under it is either.
        if (parent.TraceId != default && !parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)) return new SamplingResult(SamplingDecision.Drop);
        // Traces start at a run or a job. Other roots are Orleans' spans of calls made outside any kept span — the
        // callee's side of a skipped window's chip calls (a call whose own span was dropped carries no parent) — or
        // its housekeeping.
        if (parent.TraceId == default) return new SamplingResult(SamplingDecision.Drop);
        if (parameters.Name != WindowSpan || Keep(parameters)) return new SamplingResult(SamplingDecision.RecordAndSample);
        string state = string.IsNullOrEmpty(parent.TraceState) ? SkipMarker : $"{SkipMarker},{parent.TraceState}";
        return new SamplingResult(SamplingDecision.RecordOnly, [], state);
    }

    public static bool IsSkipped(string? traceState) => traceState is not null && traceState.Contains(SkipMarker, StringComparison.Ordinal);

    private bool Keep(in SamplingParameters parameters)
    {
        if (Ratio >= 1) return true;
        if (Ratio <= 0) return false;
        var hash = new XxHash64();
        Span<byte> id = stackalloc byte[16];
        parameters.TraceId.CopyTo(id);
        hash.Append(id);
        foreach (var (key, value) in parameters.Tags ?? [])
            if (key is "lane" or "segments" && value is string text) hash.Append(MemoryMarshal.AsBytes(text.AsSpan()));
        return hash.GetCurrentHashAsUInt64() < (ulong)(Ratio * ulong.MaxValue);
    }
}

/// <summary>
/// Clears the sampled flag of each window <see cref="LaneWindowSampler"/> left out as it starts — before any call it makes
/// passes the flag on, and so that the exporters, which export recorded spans only, leave it out. Added before them.
/// </summary>
public sealed class SkippedWindowFilter : BaseProcessor<Activity>
{
    public override void OnStart(Activity data)
    {
        if (LaneWindowSampler.IsSkipped(data.TraceStateString)) data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
    }
}
