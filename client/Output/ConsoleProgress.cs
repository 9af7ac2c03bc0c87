using Spectre.Console;

namespace MemristorGrid.Client.Output;

/// <summary>A progress bar on an interactive terminal; silence when output is redirected (CI, pipes, tests).</summary>
public static class ConsoleProgress
{
    public static bool Interactive => !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    /// <summary>Runs <paramref name="work"/> with a 0..1 progress callback shown as a bar titled <paramref name="title"/>.</summary>
    public static T Run<T>(string title, Func<IProgress<double>, T> work)
    {
        if (!Interactive) return work(new Progress<double>(_ => { }));
        T result = default!;
        Bar().Start(ctx =>
        {
            var task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
            result = work(new SyncProgress(v => task.Value = v));
        });
        return result;
    }

    private static Spectre.Console.Progress Bar() => AnsiConsole.Progress()
        .AutoClear(true)
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn());

    /// <summary><see cref="Run{T}"/> for asynchronous work; reports may come from any thread.</summary>
    public static async Task<T> RunAsync<T>(string title, Func<IProgress<double>, Task<T>> work)
    {
        if (!Interactive) return await work(new Progress<double>(_ => { }));
        return await Bar().StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
                return await work(new SyncProgress(v => task.Value = v));
            });
    }

    /// <summary><see cref="RunAsync{T}"/> for work without a result.</summary>
    public static Task RunAsync(string title, Func<IProgress<double>, Task> work) =>
        RunAsync(title, async progress => { await work(progress); return true; });

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
                    var task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
                    result = work(new SyncProgress<(double, string)>(v =>
                    {
                        task.Value = v.Item1;
                        task.Description = Markup.Escape($"{title} · {v.Item2}");
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
