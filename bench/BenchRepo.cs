namespace MemristorGrid.Bench;

/// <summary>Where the repository (models/, silo/) is, from wherever the benchmark runs.</summary>
internal static class BenchRepo
{
    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MemristorGrid.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
