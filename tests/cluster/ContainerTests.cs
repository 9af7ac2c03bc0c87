using System.Diagnostics;

namespace MemristorGrid.Cluster.Tests;

/// <summary>
/// The images built and run for real with podman (containers/podman-cluster.sh): a Debian root file system from
/// mmdebstrap with self-contained publish output (the production Dockerfile's registry is unreachable here), Redis and
/// two silos in one pod, a memgrid job in a third container writing to a host directory as the image's non-root user.
/// Its samples must be byte-identical to the same command run on the host.
/// </summary>
public sealed class ContainerTests
{
    [Fact]
    public async Task A_containerised_two_silo_cluster_returns_the_host_runs_samples()
    {
        string outDir = Path.Combine(Path.GetTempPath(), $"memgrid-containers-{Guid.NewGuid():N}");
        var info = new ProcessStartInfo(Path.Combine(Repo.Root(), "containers", "podman-cluster.sh"), $"all \"{outDir}\"")
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Repo.Root() };
        info.Environment["MEMGRID_HOST_CLI"] = Path.Combine(AppContext.BaseDirectory, "memgrid.dll"); // the build under test
        using var script = Process.Start(info)!;
        var stderr = script.StandardError.ReadToEndAsync();
        string stdout = await script.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await script.WaitForExitAsync(deadline.Token);
        string log = $"{stdout}\n{await stderr}";
        Assert.True(script.ExitCode == 0, $"containers/podman-cluster.sh failed ({script.ExitCode}):\n{log}");
        Assert.Contains("cluster: 2 active silos; the job ran on 2 of them", stdout);
        Assert.Contains("identical", stdout);
        try { Directory.Delete(outDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
