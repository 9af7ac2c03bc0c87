using Spectre.Console;

namespace MemristorGrid.Client.Output;

/// <summary>
/// A progress bar on an interactive terminal; when output is redirected (a Kubernetes Job's log, CI, a pipe) a line
/// on standard error at most every <see cref="LogInterval"/>, so <c>kubectl logs -f</c> shows a long job moving.
/// </summary>
public static class ConsoleProgress
{
    public static bool Interactive => !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    /// <summary>How often a redirected run logs its progress: MEMGRID_PROGRESS_SECONDS (default 15 s; 0 = never). A value
    /// that is no number of seconds is said once on standard error, and the default used.</summary>
    public static TimeSpan LogInterval => Interval.Value;

    private static readonly Lazy<TimeSpan> Interval = new(() =>
    {
        string? text = Environment.GetEnvironmentVariable("MEMGRID_PROGRESS_SECONDS");
        if (text is null) return TimeSpan.FromSeconds(15);
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) && s >= 0 && s <= 86_400)
            return TimeSpan.FromSeconds(s);
        Console.Error.WriteLine($"warning: MEMGRID_PROGRESS_SECONDS is not a number of seconds in [0, 86400]; progress is logged every 15 s");
        return TimeSpan.FromSeconds(15);
    });

    /// <summary>Progress as log lines on standard error, at most one per <see cref="LogInterval"/> (reports may come from any thread).</summary>
    private static IProgress<double> LogReporter(string title, Work? size)
    {
        var interval = LogInterval;
        if (interval == TimeSpan.Zero) return new SyncProgress(_ => { });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        var gate = new Lock();
        return new SyncProgress(v =>
        {
            lock (gate)
            {
                if (clock.Elapsed - last < interval) return;
                last = clock.Elapsed;
                Console.Error.WriteLine(Line(title, (v, size is { } work ? Rate(v, work, clock.Elapsed) : "running"), clock.Elapsed));
            }
        });
    }

    /// <summary>The size of the work, for a throughput beside the bar: e.g. (12 000, "samples").</summary>
    public readonly record struct Work(double Total, string Unit);

    /// <summary>Runs <paramref name="work"/> with a 0..1 progress callback shown as a bar titled <paramref name="title"/>
    /// (with the throughput when <paramref name="size"/> is given; the bar also shows percent, elapsed time and ETA).</summary>
    public static T Run<T>(string title, Func<IProgress<double>, T> work, Work? size = null)
    {
        if (!Interactive) return work(LogReporter(title, size));
        T result = default!;
        Bar().Start(ctx =>
        {
            var task = ctx.AddTask(Fit(title), maxValue: 1.0);
            result = work(Reporter(task, title, size));
        });
        return result;
    }

    /// <summary>Columns the bar's line gives everything but the description: a 12-column bar, "100%", elapsed and
    /// remaining time, and the spaces between them.</summary>
    private const int FixedColumns = BarWidth + 4 + 8 + 8 + 4, BarWidth = 12;

    /// <summary>The description, escaped, cut to what the terminal leaves it (an 80-column terminal must not wrap the
    /// line); <paramref name="tail"/> (a rate) is kept whole and the title shortened first.</summary>
    private static string Fit(string title, string tail = "")
    {
        int width = Console.IsOutputRedirected ? 120 : Math.Max(40, Console.WindowWidth);
        int room = Math.Max(8, width - FixedColumns - 1 - (tail.Length > 0 ? tail.Length + 3 : 0));
        string head = title.Length <= room ? title : title[..(room - 1)] + "…";
        return Markup.Escape(tail.Length > 0 ? $"{head} · {tail}" : head);
    }

    /// <summary>"1 234 samples/s" from the share done, the work's size and the time it took.</summary>
    public static string Rate(double fraction, Work size, TimeSpan elapsed)
    {
        double perSecond = elapsed.TotalSeconds > 0 ? fraction * size.Total / elapsed.TotalSeconds : 0;
        return perSecond.ToString(perSecond >= 100 ? "N0" : "G3", System.Globalization.CultureInfo.InvariantCulture) + $" {size.Unit}/s";
    }

    private static IProgress<double> Reporter(ProgressTask task, string title, Work? size)
    {
        if (size is not { } work) return new SyncProgress(v => task.Value = v);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var shown = TimeSpan.Zero;
        return new SyncProgress(v =>
        {
            task.Value = v;
            if (clock.Elapsed - shown < TimeSpan.FromMilliseconds(500)) return;
            shown = clock.Elapsed;
            task.Description = Fit(title, Rate(v, work, clock.Elapsed));
        });
    }

    private static Spectre.Console.Progress Bar() => AnsiConsole.Progress()
        .AutoClear(true)
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn { Width = BarWidth }, new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn());

    /// <summary><see cref="Run{T}"/> for asynchronous work; reports may come from any thread.</summary>
    public static async Task<T> RunAsync<T>(string title, Func<IProgress<double>, Task<T>> work, Work? size = null)
    {
        if (!Interactive) return await work(LogReporter(title, size));
        return await Bar().StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Fit(title), maxValue: 1.0);
                return await work(Reporter(task, title, size));
            });
    }

    /// <summary><see cref="RunAsync{T}"/> for work without a result.</summary>
    public static Task RunAsync(string title, Func<IProgress<double>, Task> work, Work? size = null) =>
        RunAsync(title, async progress => { await work(progress); return true; }, size);

    /// <summary>
    /// Long work that also has something to say while it runs (a training loss): on a terminal the bar's
    /// title carries the status; when output is redirected a line goes to <paramref name="log"/> at most
    /// every <paramref name="every"/> (default 15 s), and once at the end, so a log file shows progress.
    /// </summary>
    public static T RunWithStatus<T>(string title, TextWriter log, Func<IProgress<(double Fraction, string Status)>, T> work, TimeSpan? every = null)
    {
        if (Interactive)
        {
            T result = default!;
            Bar().Start(ctx =>
                {
                    var task = ctx.AddTask(Fit(title), maxValue: 1.0);
                    result = work(new SyncProgress<(double, string)>(v =>
                    {
                        task.Value = v.Item1;
                        task.Description = Fit(title, v.Item2);
                    }));
                });
            return result;
        }
        var interval = every ?? TimeSpan.FromSeconds(15);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        (double Fraction, string Status) latest = (0, "");
        var value = work(new SyncProgress<(double, string)>(v =>
        {
            latest = v;
            if (clock.Elapsed - last < interval) return;
            last = clock.Elapsed;
            log.WriteLine(Line(title, v, clock.Elapsed));
        }));
        if (last > TimeSpan.Zero) log.WriteLine(Line(title, latest, clock.Elapsed));
        return value;
    }

    private static string Line(string title, (double Fraction, string Status) v, TimeSpan elapsed)
    {
        static string Clock(TimeSpan t) => t.ToString(@"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture);
        string left = v.Fraction > 0 && v.Fraction < 1 ? $", ~{Clock(TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - v.Fraction) / v.Fraction))} left" : "";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{title}: {v.Fraction:P0} · {v.Status} ({Clock(elapsed)}{left})");
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and lag).</summary>
    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
