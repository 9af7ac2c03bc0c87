using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MemristorGrid.Engine.Digital;

/// <summary>
/// CPU time of the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>, nanosecond resolution), else of the
/// process. A single-threaded baseline is timed on its own thread: the process's total would add the server
/// GC's spinning threads and the runtime's helpers, which vary from run to run with the machine's load.
/// </summary>
public static class CpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static readonly bool HasThreadClock = OperatingSystem.IsLinux() && Probe();

    private static bool Probe()
    {
        try { return ClockGetTime(ClockThreadCpuTimeId, out _) == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    /// <summary>Seconds of CPU the calling thread has used (the process's, where no thread clock exists).</summary>
    public static double ThreadSeconds()
    {
        if (HasThreadClock && ClockGetTime(ClockThreadCpuTimeId, out var t) == 0) return t.Seconds + t.Nanoseconds * 1e-9;
        return ProcessSeconds();
    }

    public static double ProcessSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
}
