using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Onnx;

namespace MemristorGrid.Cli.Tests;

/// <summary>
/// A score network as <c>torch.onnx.export</c> writes it: no MemristorGrid metadata, its own input and
/// output names, PyTorch's Gemm (weight [out, in], transB = 1) for one layer and MatMul + Add for the
/// others, <c>/net/fcN/Gemm</c> node names. Written here by transforming a shipped model's graph, so the
/// weights (and the right answer) are known.
/// </summary>
public class BringYourOwnModelTests
{
    public static string WriteTorchStyle(string dir)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Models.Shipped("ring.onnx")));
        model.MetadataProps.Clear();
        model.ProducerName = "pytorch";
        var g = model.Graph;
        var rename = new Dictionary<string, string> { ["x"] = "input", ["t"] = "timestep", ["score"] = "output" };
        string R(string name) => rename.GetValueOrDefault(name, name);
        foreach (var input in g.Input) input.Name = R(input.Name);
        foreach (var output in g.Output) output.Name = R(output.Name);
        var nodes = g.Node.ToList();
        g.Node.Clear();
        foreach (var node in nodes)
        {
            var renamed = node.Clone();
            renamed.Input.Clear();
            renamed.Input.Add(node.Input.Select(R));
            renamed.Output.Clear();
            renamed.Output.Add(node.Output.Select(R));
            if (node.OpType == "MatMul" && node.Name == "layers.0/matmul")
            {
                // PyTorch's nn.Linear: Gemm(x, W[out, in], b) with transB = 1.
                var w = g.Initializer.Single(i => i.Name == "layers.0.weight");
                long fin = w.Dims[0], fout = w.Dims[1];
                var values = MemoryMarshal.Cast<byte, float>(w.RawData.Span).ToArray();
                var transposed = new float[values.Length];
                for (int i = 0; i < fin; i++) for (int o = 0; o < fout; o++) transposed[o * fin + i] = values[i * fout + o];
                w.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(transposed.AsSpan()));
                w.Dims.Clear();
                w.Dims.Add([fout, fin]);
                var gemm = new NodeProto { OpType = "Gemm", Name = "/net/fc1/Gemm" };
                gemm.Input.Add([R(node.Input[0]), "layers.0.weight", "layers.0.bias"]);
                gemm.Output.Add("layers.0/linear");
                gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
                g.Node.Add(gemm);
                continue;
            }
            if (node.Name == "layers.0/bias") continue; // folded into the Gemm
            g.Node.Add(renamed);
        }
        string path = Path.Combine(dir, "torch_score.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    [Theory]
    [InlineData("silu")]
    [InlineData("tanh")]
    public void Smooth_hidden_activations_run_digitally_and_on_the_analog_machine(string kind)
    {
        string dir = CliRunner.TempDir();
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Models.Shipped("ring.onnx")));
        var g = model.Graph;
        var nodes = g.Node.ToList();
        g.Node.Clear();
        foreach (var node in nodes)
        {
            if (node.OpType != "Relu") { g.Node.Add(node); continue; }
            if (kind == "tanh") { node.OpType = "Tanh"; g.Node.Add(node); continue; }
            // nn.SiLU as torch.onnx.export writes it: Sigmoid, then Mul with the input.
            var sigmoid = new NodeProto { OpType = "Sigmoid", Name = node.Name + "/Sigmoid" };
            sigmoid.Input.Add(node.Input[0]);
            sigmoid.Output.Add(node.Output[0] + "_gate");
            var mul = new NodeProto { OpType = "Mul", Name = node.Name + "/Mul" };
            mul.Input.Add([node.Input[0], node.Output[0] + "_gate"]);
            mul.Output.Add(node.Output[0]);
            g.Node.Add([sigmoid, mul]);
        }
        string path = Path.Combine(dir, $"ring-{kind}.onnx");
        File.WriteAllBytes(path, model.ToByteArray());

        Assert.Contains(kind == "silu" ? "SiLU" : "Tanh", CliRunner.Run("inspect", "--model", path).Out);
        var digital = CliRunner.Run("baseline", "--model", path, "--samples", "200", "--steps", "50", "--out", Path.Combine(dir, "digital"));
        Assert.True(digital.ExitCode == 0, digital.Err);
        foreach (string profile in new[] { "ideal", "rram-180nm" })
        {
            var analog = CliRunner.Run("run", "--model", path, "--profile", profile, "--samples", "100", "--simulator", "reference", "--out", Path.Combine(dir, profile));
            Assert.True(analog.ExitCode == 0, analog.Err);
            Assert.DoesNotContain("NaN", File.ReadAllText(Path.Combine(dir, profile, "samples.csv")));
        }
    }

    /// <summary>The guide's PyTorch block, run as printed with Debian's PyTorch (it once lacked its imports and never made
    /// <c>model</c>), writes a file that the guide's next command accepts.</summary>
    [Fact]
    public void The_guides_pytorch_block_runs_as_printed_and_its_export_is_accepted()
    {
        string guide = File.ReadAllText(Path.Combine(CliRunner.RepoRoot(), "docs", "bring-your-own-model.md"));
        int section = guide.IndexOf("## From PyTorch to `memgrid run`", StringComparison.Ordinal);
        int start = guide.IndexOf("```python\n", section, StringComparison.Ordinal) + "```python\n".Length;
        string script = guide[start..guide.IndexOf("```", start, StringComparison.Ordinal)];
        string dir = CliRunner.TempDir();
        File.WriteAllText(Path.Combine(dir, "export.py"), script);
        var info = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3", "export.py")
        { WorkingDirectory = dir, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        System.Diagnostics.Process python;
        try { python = System.Diagnostics.Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception) { throw new InvalidOperationException("/usr/bin/python3 not found: install python3-torch python3-onnx; .ci/run does"); }
        string err = python.StandardError.ReadToEnd();
        Assert.True(python.WaitForExit(300_000), "the PyTorch export did not finish");
        Assert.True(python.ExitCode == 0, $"the guide's block fails as printed:\n{err}");
        var inspect = CliRunner.Run("inspect", "--model", Path.Combine(dir, "score.onnx"), "--sde", "vp", "--beta-min", "0.1", "--beta-max", "20");
        Assert.True(inspect.ExitCode == 0, inspect.Err);
        Assert.Contains("β_max 20 [from options]", inspect.Out);
    }

    [Fact]
    public void A_pytorch_export_without_metadata_is_refused_naming_the_options_and_runs_when_they_are_given()
    {
        string dir = CliRunner.TempDir();
        string model = WriteTorchStyle(dir);

        var refused = CliRunner.Run("baseline", "--model", model, "--samples", "50", "--steps", "20", "--out", Path.Combine(dir, "x"));
        Assert.Equal(1, refused.ExitCode);
        foreach (string option in new[] { "--sde", "--beta-min", "--beta-max", "--sigma-min", "--schedule" }) Assert.Contains(option, refused.Err);
        Assert.DoesNotContain("   at ", refused.Err);
        Assert.False(Directory.Exists(Path.Combine(dir, "x")), "nothing is written for a refused model");
        // --sde vp --beta-max 20 runs; the β_min it was not given is named in a warning and marked [default].
        var half = CliRunner.Run("baseline", "--model", model, "--sde", "vp", "--beta-max", "20", "--samples", "50", "--steps", "20", "--reference-data", "ring", "--out", Path.Combine(dir, "half"));
        Assert.True(half.ExitCode == 0, half.Err);
        Assert.Contains("warning: torch_score.onnx: --beta-min not given and not in the file: using 0.001", half.Err);
        Assert.Contains("β_min 0.001 [default], β_max 20 [from options]", CliRunner.Run("inspect", "--model", model, "--sde", "vp", "--beta-max", "20").Out);

        // The shipped ring's own schedule (β 0.001 → 0.5, sampled at scale 2), given on the command line: the same samples as the original.
        string[] schedule = ["--sde", "vp", "--beta-min", "0.001", "--beta-max", "0.5", "--schedule-scale", "2"];
        var inspect = CliRunner.Run(["inspect", "--model", model, .. schedule]);
        Assert.True(inspect.ExitCode == 0, inspect.Err);
        Assert.Contains("β_max 0.5 [from options]", inspect.Out);
        var bare = CliRunner.Run("inspect", "--model", model);
        Assert.Contains("not in the file: pass --sde", bare.Out);
        Assert.Contains("[from the file]", CliRunner.Run("inspect", "--model", Models.Shipped("ring.onnx")).Out);

        var digital = CliRunner.Run(["baseline", "--model", model, .. schedule, "--samples", "200", "--steps", "50", "--reference-data", "ring", "--out", Path.Combine(dir, "digital")]);
        Assert.True(digital.ExitCode == 0, digital.Err);
        var original = CliRunner.Run("baseline", "--model", Models.Shipped("ring.onnx"), "--samples", "200", "--steps", "50", "--out", Path.Combine(dir, "original"));
        Assert.Equal(0, original.ExitCode);
        double klTorch = (double)JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "digital", "report.json")))!["kl_paper"]!;
        double klOriginal = (double)JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "original", "report.json")))!["kl_paper"]!;
        Assert.Equal(klOriginal, klTorch, 2); // ONNX Runtime on PyTorch's Gemm layout: the same network up to float rounding

        var analog = CliRunner.Run(["run", "--model", model, .. schedule, "--profile", "ideal", "--samples", "100", "--reference-data", "ring", "--out", Path.Combine(dir, "analog")]);
        Assert.True(analog.ExitCode == 0, analog.Err);
        var analogOriginal = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--profile", "ideal", "--samples", "100", "--out", Path.Combine(dir, "analog-original"));
        Assert.Equal(0, analogOriginal.ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(dir, "analog-original", "samples.csv")), File.ReadAllText(Path.Combine(dir, "analog", "samples.csv")));

        // The issue's own words: --sde vp --beta-max 20 on run and compare as well.
        foreach (var command in new[] { "run", "compare" })
        {
            string[] steps = command == "compare" ? ["--steps", "30"] : [];
            var r = CliRunner.Run([command, "--model", model, "--sde", "vp", "--beta-max", "20", "--profile", "ideal", "--samples", "30", .. steps,
                "--simulator", "reference", "--reference-data", "ring", "--out", Path.Combine(dir, $"issue-{command}")]);
            Assert.True(r.ExitCode == 0, $"{command}: {r.Err}");
            Assert.Contains("--beta-min not given", r.Err);
        }
        foreach (var png in new[] { "analog/samples.png", "analog/tiles.png", "digital/samples.png" })
            Assert.True(new FileInfo(Path.Combine(dir, "issue-compare", png)).Length > 5000, png);

        // A standard PyTorch schedule (β 0.1 → 20) from a sidecar file, on compare.
        string sidecar = Path.Combine(dir, "schedule.json");
        File.WriteAllText(sidecar, """{ "sde": "vp", "beta_min": 0.1, "beta_max": 20 }""");
        var compare = CliRunner.Run("compare", "--model", model, "--schedule", sidecar, "--profile", "ideal", "--samples", "50", "--steps", "50",
            "--simulator", "reference", "--reference-data", "ring", "--out", Path.Combine(dir, "compare"));
        Assert.True(compare.ExitCode == 0, compare.Err);
    }
}
