using System.Diagnostics;
using Orleans.Runtime;

namespace MemristorGrid.Grains.Telemetry;

/// <summary>How the calls a span makes are traced across grains.</summary>
public static class CallTracing
{
    /// <summary>
    /// Makes <paramref name="span"/> the parent that Orleans passes with every call made in the current async flow,
    /// even a call it makes no span of. Orleans keeps the trace context of the call being served in the request
    /// context and sends that when a call of its own was not traced: a lane window left out by sampling would pass
    /// on the lane call's (sampled) context, and the chip grains would trace their side of every call in it.
    /// The flow's request context is copied on write, so the caller's is unchanged once the window's method returns.
    /// </summary>
    public static void MakeParentOfCalls(Activity? span)
    {
        if (span is null) return;
        RequestContext.Set("traceparent", $"00-{span.TraceId.ToHexString()}-{span.SpanId.ToHexString()}-{(span.Recorded ? "01" : "00")}");
        if (span.TraceStateString is { } state) RequestContext.Set("tracestate", state);
    }
}
