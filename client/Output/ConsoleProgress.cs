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
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
                result = work(new SyncProgress(v => task.Value = v));
            });
        return result;
    }

    /// <summary><see cref="Run{T}"/> for asynchronous work; reports may come from any thread.</summary>
    public static async Task<T> RunAsync<T>(string title, Func<IProgress<double>, Task<T>> work)
    {
        if (!Interactive) return await work(new Progress<double>(_ => { }));
        return await AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
                return await work(new SyncProgress(v => task.Value = v));
            });
    }

    /// <summary><see cref="RunAsync{T}"/> for work without a result.</summary>
    public static Task RunAsync(string title, Func<IProgress<double>, Task> work) =>
        RunAsync(title, async progress => { await work(progress); return true; });

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and lag).</summary>
    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
