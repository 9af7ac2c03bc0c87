namespace MemristorGrid.Hosting;

/// <summary>How much of a failure the programs print: its messages, and the stack trace only for developers.</summary>
public static class Diagnostics
{
    /// <summary>MEMGRID_DEBUG=1: print stack traces (and a remote job's) after the one-line message.</summary>
    public static bool ShowStackTraces => Environment.GetEnvironmentVariable("MEMGRID_DEBUG") == "1";

    /// <summary>The distinct messages of an exception and its inner ones, joined.</summary>
    public static string Messages(Exception e)
    {
        var messages = new List<string>();
        // "See InnerException" is advice to a debugger: the inner message follows anyway.
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            messages.Add(inner.Message.Replace(" See InnerException", "", StringComparison.Ordinal).TrimEnd());
        return string.Join(" — ", messages.Distinct());
    }
}
