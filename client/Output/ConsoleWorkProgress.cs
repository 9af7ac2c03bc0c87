using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Client.Output;

/// <summary>The engine's long work shown as <see cref="ConsoleProgress"/> bars.</summary>
public sealed class ConsoleWorkProgress : IWorkProgress
{
    public static readonly ConsoleWorkProgress Instance = new();

    public Task<T> RunAsync<T>(string title, double total, string unit, Func<IProgress<double>, Task<T>> work) =>
        ConsoleProgress.RunAsync(title, work, new ConsoleProgress.Work(total, unit));
}
