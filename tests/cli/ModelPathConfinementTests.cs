using Onnx;

namespace MemristorGrid.Cli.Tests;

/// <summary>
/// A model file is input like any other: a metadata task <c>csv:/etc/passwd</c> once made <c>run</c> open that file as
/// reference data and print its first line in the error, and a <c>latent:</c> path climbed out of the model's folder.
/// Paths a model names are followed only inside its folder; elsewhere the user must name them.
/// </summary>
public class ModelPathConfinementTests
{
    private static string WithTask(string dir, string task)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Models.Shipped("ring.onnx")));
        var entry = model.MetadataProps.Single(p => p.Key == "memgrid.task");
        entry.Value = task;
        string path = Path.Combine(dir, "crafted.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));
        return path;
    }

    [Theory]
    [InlineData("csv:/etc/passwd")]
    [InlineData("csv:../../../../../../etc/passwd")]
    [InlineData("latent:../../../../../../etc/passwd")]
    public void A_model_cannot_make_memgrid_read_a_file_outside_its_folder(string task)
    {
        string dir = CliRunner.TempDir();
        string model = WithTask(dir, task);
        string outDir = Path.Combine(dir, "out");
        var r = CliRunner.Run("run", "--model", model, "--profile", "ideal", "--samples", "10", "--simulator", "reference", "--out", outDir);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("error: ", r.Err);
        Assert.Contains("outside the model's folder", r.Err);
        Assert.DoesNotContain("root:", r.Err); // nothing of the file's contents
        Assert.False(Directory.Exists(outDir));
        // inspect still shows what the model says, and that it is not followed.
        var inspect = CliRunner.Run("inspect", "--model", model);
        Assert.Equal(0, inspect.ExitCode);
        Assert.Contains("outside the model's folder: not read", inspect.Out);
    }

    [Fact]
    public void A_symbolic_link_inside_the_folder_that_leads_out_of_it_is_not_followed()
    {
        string dir = CliRunner.TempDir();
        File.CreateSymbolicLink(Path.Combine(dir, "data.csv"), "/etc/passwd");
        string model = WithTask(dir, "csv:data.csv");
        var r = CliRunner.Run("run", "--model", model, "--profile", "ideal", "--samples", "10", "--simulator", "reference", "--out", Path.Combine(dir, "out"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("outside the model's folder", r.Err);
    }

    [Fact]
    public void A_csv_beside_the_model_is_recorded_relative_and_followed_where_the_pair_moves()
    {
        string dir = CliRunner.TempDir();
        string csv = Path.Combine(dir, "blob.csv");
        File.WriteAllLines(csv, new[] { "x1,x2" }.Concat(Enumerable.Range(0, 300).Select(i => FormattableString.Invariant($"{Math.Sin(i) * 0.5},{Math.Cos(i * 1.7) * 0.5}"))));
        string model = Path.Combine(dir, "blob.onnx");
        Assert.Equal(0, CliRunner.Run("train", "--task", $"csv:{csv}", "--epochs", "1", "--out", model).ExitCode);
        string moved = CliRunner.TempDir();
        File.Move(model, Path.Combine(moved, "blob.onnx"));
        File.Move(csv, Path.Combine(moved, "blob.csv"));
        var r = CliRunner.Run("run", "--model", Path.Combine(moved, "blob.onnx"), "--profile", "ideal", "--samples", "20", "--simulator", "reference", "--out", Path.Combine(moved, "out"));
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("blob.csv", File.ReadAllText(Path.Combine(moved, "out", "report.json")));
    }
}
