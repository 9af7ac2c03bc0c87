using MemristorGrid.Engine.Onnx;

namespace MemristorGrid.Cli.Tests;

/// <summary>Bad input of every kind: one clear line, a non-zero exit code, no stack trace, nothing written.</summary>
public class CliErrorTests
{
    private static void AssertOneCleanError(CliRunner.Result r, int expectedCode, string mustContain)
    {
        Assert.Equal(expectedCode, r.ExitCode);
        Assert.Contains(mustContain, r.Err);
        Assert.DoesNotContain("   at ", r.Err); // no stack trace
        Assert.DoesNotContain("Exception", r.Err);
        Assert.StartsWith("error: ", r.Err);
    }

    [Fact]
    public void Malformed_onnx_is_refused()
    {
        string dir = CliRunner.TempDir();
        string model = Path.Combine(dir, "garbage.onnx");
        File.WriteAllBytes(model, [0x0a, 0xff, 0xff, 0x13, 0x37, 0x00, 0x42]);
        string outDir = Path.Combine(dir, "out");
        var r = CliRunner.Run("baseline", "--model", model, "--out", outDir);
        AssertOneCleanError(r, 1, "garbage.onnx: not a valid ONNX file");
        Assert.False(Directory.Exists(outDir), "nothing may be written for a refused model");
        Assert.Single(r.Err.Trim().Split('\n'));
    }

    [Fact]
    public void Missing_model_file_is_refused()
    {
        var r = CliRunner.Run("inspect", "--model", "/nonexistent/model.onnx");
        AssertOneCleanError(r, 1, "model file not found");
    }

    [Fact]
    public void Unsupported_graph_names_the_node()
    {
        string dir = CliRunner.TempDir();
        var model = OnnxExporter.ToModel(Models.Untrained(conditional: false));
        model.Graph.Node.Single(n => n.OpType == "Sin").OpType = "Tan";
        string path = Path.Combine(dir, "tan.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));
        var r = CliRunner.Run("inspect", "--model", path);
        AssertOneCleanError(r, 1, "node 'time_sin' uses op 'Tan'");
    }

    [Fact]
    public void Bad_csv_is_refused_with_file_and_line()
    {
        string dir = CliRunner.TempDir();
        string csv = Path.Combine(dir, "bad.csv");
        File.WriteAllText(csv, "x1,x2\n0.1,0.2\n0.3,oops\n");
        string outModel = Path.Combine(dir, "m.onnx");
        var r = CliRunner.Run("train", "--task", $"csv:{csv}", "--epochs", "1", "--out", outModel);
        AssertOneCleanError(r, 1, "bad.csv:3: column x2: 'oops' is not a number");
        Assert.False(File.Exists(outModel));
    }

    [Theory]
    [InlineData("train", "--task", "ring", "--out", "m.onnx", "--epochs", "-3")]
    [InlineData("train", "--task", "ring", "--out", "m.onnx", "--hidden", "abc")]
    [InlineData("train", "--task", "ring")]
    [InlineData("baseline", "--model", "m.onnx", "--out", "d", "--sampler", "rk4")]
    [InlineData("baseline", "--model", "m.onnx", "--out", "d", "--samples", "0")]
    [InlineData("frobnicate")]
    public void Malformed_command_lines_exit_2(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void Impossible_training_options_are_refused()
    {
        var r = CliRunner.Run("train", "--task", "ring", "--hidden", "7", "--out", Path.Combine(CliRunner.TempDir(), "m.onnx"));
        AssertOneCleanError(r, 1, "--hidden must be an even number");
    }

    [Fact]
    public void Unknown_task_is_refused()
    {
        var r = CliRunner.Run("train", "--task", "spiral", "--out", Path.Combine(CliRunner.TempDir(), "m.onnx"));
        AssertOneCleanError(r, 1, "unknown task 'spiral'");
    }

    [Theory]
    [InlineData("train")]
    [InlineData("baseline")]
    [InlineData("inspect")]
    public void Every_command_has_help(string command)
    {
        var r = CliRunner.Run(command, "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:", r.Out);
        Assert.Contains("--", r.Out);
    }

    [Fact]
    public void A_silo_port_in_use_or_given_twice_is_refused_before_orleans_starts()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var r = CliRunner.Run("silo", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--gateway-port", "30999", "--health-port", "0");
        AssertOneCleanError(r, 1, $"--port {port} is already in use");
        var twice = CliRunner.Run("silo", "--port", "30998", "--gateway-port", "30998", "--health-port", "0");
        AssertOneCleanError(twice, 1, "--port and --gateway-port are both 30998");
    }

    /// <summary>Requests this machine cannot hold, or a plan too large to simulate: refused before any work, nothing written.</summary>
    [Fact]
    public void Impossible_sizes_are_refused_before_any_work()
    {
        string dir = CliRunner.TempDir();
        var run = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--samples", "2000000000", "--out", Path.Combine(dir, "a"));
        AssertOneCleanError(run, 1, "--samples asks for 2000000000 samples of 2 dimensions");
        Assert.False(Directory.Exists(Path.Combine(dir, "a")));
        var baseline = CliRunner.Run("baseline", "--model", Models.Shipped("ring.onnx"), "--samples", "1000000000", "--steps", "2", "--out", Path.Combine(dir, "b"));
        AssertOneCleanError(baseline, 1, "--samples asks for 1000000000 samples");
        var train = CliRunner.Run("train", "--task", "ring", "--hidden", "200000", "--epochs", "1", "--out", Path.Combine(dir, "c.onnx"));
        AssertOneCleanError(train, 1, "--hidden gives a network of");
        Assert.False(File.Exists(Path.Combine(dir, "c.onnx")));

        var profile = MemristorGrid.Engine.Profiles.HardwareProfile.Resolve("rram-180nm");
        string tiny = Path.Combine(dir, "tiny.json");
        File.WriteAllText(tiny, (profile with { Name = "tiny", Mapping = profile.Mapping with { TileRows = 2, TileCols = 2 } }).ToJson());
        var tiles = CliRunner.Run("run", "--model", Models.Shipped("gmm16.onnx"), "--profile", tiny, "--samples", "10", "--out", Path.Combine(dir, "d"));
        AssertOneCleanError(tiles, 1, "35208 tiles");

        // A directory that exists but takes no files (even root cannot write into /proc/1): said before the job runs.
        if (Directory.Exists("/proc/1"))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var unwritable = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--samples", "20000", "--simulator", "reference", "--out", "/proc/1");
            AssertOneCleanError(unwritable, 1, "--out /proc/1: files cannot be written there");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "refused before the job ran");
        }
    }
}

/// <summary>A command group typed alone shows its help instead of an error; a wrong word is still an error.</summary>
public sealed class CommandGroupHelpTests
{
    [Theory]
    [InlineData(new string[0], " [command] [options]")] // the root's name is the host's (testhost here)
    [InlineData(new[] { "profile" }, " profile [command] [options]")]
    public void A_group_alone_prints_its_help(string[] args, string usage)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(usage, r.Out);
        Assert.Contains("Commands:", r.Out);
        Assert.Equal("", r.Err);
    }

    [Fact]
    public void An_unknown_word_after_a_group_is_a_usage_error()
    {
        var r = CliRunner.Run("profile", "nosuch");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Unrecognized command or argument 'nosuch'", r.Err);
    }

    [Fact]
    public void Inspect_names_the_programming_noise_model_as_profiles_spell_it()
    {
        var r = CliRunner.Run("inspect", "--model", Models.Shipped("ring.onnx"), "--profile", "rram-180nm");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("programming noise truncated-multiplicative σ 0.1,", r.Out);
    }
}
