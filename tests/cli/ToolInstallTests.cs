using System.Diagnostics;

namespace MemristorGrid.Cli.Tests;

/// <summary><c>memgrid</c> as a user gets it: the CLI packed as a .NET tool, installed with <c>dotnet tool install</c>,
/// and the README's main job run with the installed command.</summary>
public class ToolInstallTests
{
    private static (int Code, string Out) Run(string file, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(start)!;
        var error = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(300_000), $"{file} {string.Join(' ', args)} did not finish in 5 min");
        return (p.ExitCode, output + error.Result);
    }

    [Fact]
    public void The_cli_installs_as_a_dotnet_tool_and_runs_the_main_job()
    {
        string root = CliRunner.RepoRoot();
        string dir = CliRunner.TempDir();
        // The configuration this test was built in has built the CLI too; pack it as it is (no rebuild under other tests).
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        string version = typeof(MemristorGrid.Client.Cli).Assembly.GetName().Version!.ToString(3);
        try
        {
            var pack = Run("dotnet", root, "pack", Path.Combine("client", "MemristorGrid.Client.csproj"), "-c", configuration, "--no-build", "-o", Path.Combine(dir, "packages"));
            Assert.True(pack.Code == 0, pack.Out);
            string tools = Path.Combine(dir, "tools");
            var install = Run("dotnet", root, "tool", "install", "memgrid", "--tool-path", tools, "--source", Path.Combine(dir, "packages"), "--version", version);
            Assert.True(install.Code == 0, install.Out);
            string memgrid = Path.Combine(tools, "memgrid");

            var v = Run(memgrid, root, "--version");
            Assert.True(v.Code == 0, v.Out);
            Assert.StartsWith(version, v.Out.Trim());
            // The README's main job, smaller: the installed command runs it from the repository root.
            string outDir = Path.Combine(dir, "ring");
            var run = Run(memgrid, root, "run", "--model", Path.Combine("models", "ring.onnx"), "--profile", "rram-180nm", "--samples", "200", "--out", outDir);
            Assert.True(run.Code == 0, run.Out);
            Assert.Contains("kl_paper", run.Out);
            Assert.True(new FileInfo(Path.Combine(outDir, "samples.csv")).Length > 1000);
        }
        finally { Directory.Delete(dir, recursive: true); } // the package and the installed tool are ~0.5 GB
    }
}
