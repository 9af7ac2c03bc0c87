using MemristorGrid.Client;

namespace MemristorGrid.Cli.Tests;

/// <summary>Runs <c>memgrid</c> in-process with captured output, exactly as Program.Main does.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Err);

    public static Result Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = MemristorGrid.Client.Cli.Run(args, o, e);
        return new Result(code, o.ToString(), e.ToString());
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MemristorGrid.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    public static string TempDir()
    {
        string path = Path.Combine(Path.GetTempPath(), "memgrid-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
