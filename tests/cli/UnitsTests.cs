using MemristorGrid.Engine.Runs;
using MemristorGrid.Client.Output;

namespace MemristorGrid.Cli.Tests;

public class UnitsTests
{
    [Theory]
    [InlineData(401.8e-3, "401.8 mJ")]   // mcu-demo printed "4.018E+05 µJ"
    [InlineData(2.617e-6, "2.617 µJ")]
    [InlineData(70.34e-3, "70.34 mJ")]
    [InlineData(999.99e-6, "1 mJ")]
    [InlineData(0.0, "0 J")]
    [InlineData(-3e-9, "-3 nJ")]
    public void Energy_picks_the_prefix_by_magnitude(double joules, string expected) => Assert.Equal(expected, Units.Energy(joules));

    [Fact]
    public void Time_too() => Assert.Equal("20.13 µs", Units.Time(2.013e-5));
}

public class VersionTests
{
    /// <summary>`memgrid --version` and the image tags the manifests deploy name the same release.</summary>
    [Fact]
    public void The_cli_version_is_the_deployed_image_tag()
    {
        // As a process: in-process, the version option reports the test host's entry assembly.
        var info = new System.Diagnostics.ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "memgrid.dll"), "--version"])
        { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = System.Diagnostics.Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        string version = output.Trim().Split('+')[0];
        var tags = File.ReadAllLines(Path.Combine(CliRunner.RepoRoot(), "k8s", "base", "kustomization.yaml"))
            .Where(l => l.Trim().StartsWith("newTag:", StringComparison.Ordinal))
            .Select(l => l.Split(':', 2)[1].Trim().Trim('"')).ToList();
        Assert.NotEmpty(tags);
        Assert.All(tags, tag => Assert.Equal(version, tag));
    }
}

public class HelpExampleTests
{
    private static IEnumerable<System.CommandLine.Command> Commands(System.CommandLine.Command c) => c.Subcommands.SelectMany(s => Commands(s).Prepend(s));

    [Fact]
    public void Every_command_shows_an_example_and_the_example_parses()
    {
        var root = MemristorGrid.Client.Cli.Build();
        foreach (var command in Commands(root))
        {
            string path = string.Join(' ', Enumerable.Reverse(command.Parents.OfType<System.CommandLine.Command>().Where(p => p is not System.CommandLine.RootCommand)).Select(p => p.Name).Append(command.Name));
            var help = CliRunner.Run([.. path.Split(' '), "--help"]);
            Assert.Equal(0, help.ExitCode);
            string? example = help.Out.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Example: memgrid ", StringComparison.Ordinal));
            Assert.True(example is not null, $"memgrid {path} --help has no example");
            var args = example!["Example: memgrid ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).TakeWhile(a => a != ">").ToArray();
            var parse = MemristorGrid.Client.Cli.Build().Parse(args);
            Assert.True(parse.Errors.Count == 0, $"{example}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        }
    }
}

public class ProgressRateTests
{
    [Fact]
    public void The_bar_shows_throughput_from_the_share_done()
    {
        Assert.Equal("1,500 samples/s", ConsoleProgress.Rate(0.5, new ConsoleProgress.Work(6000, "samples"), TimeSpan.FromSeconds(2)));
        Assert.Equal("0.25 cells/s", ConsoleProgress.Rate(0.25, new ConsoleProgress.Work(4, "cells"), TimeSpan.FromSeconds(4)));
    }
}
