using System.Buffers.Binary;
using System.Text.Json.Nodes;
using MemristorGrid.Engine.Images;
using MemristorGrid.Engine.Latent;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MemristorGrid.Cluster.Tests;

/// <summary>
/// A run joined to a cluster is scored on a silo (the model's files travel with it; the silo loads the reference and the image
/// judge, decodes and judges the samples): the report, the scatter plot and the image grid are the ones a run scored in its
/// own process writes. A silo that cannot score it (the VAE's data set is not where the silo looks) says so, and the client
/// scores the run itself, with the same result.
/// </summary>
public sealed class ClusterScoringTests : IDisposable
{
    private readonly Processes _processes = new();

    /// <summary>What a run's scoring decides in report.json.</summary>
    private static readonly string[] ScoredKeys =
        ["reference", "kl_paper", "kl_2d", "energy_distance", "mode_coverage", "class_accuracy", "class_accuracy_per_class", "per_class", "images", "warnings"];

    private static void AssertSameScores(string expectedDir, string actualDir)
    {
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(expectedDir, "report.json")))!.AsObject();
        var actual = JsonNode.Parse(File.ReadAllText(Path.Combine(actualDir, "report.json")))!.AsObject();
        Assert.NotNull(expected["images"]);
        foreach (var key in ScoredKeys)
            Assert.True(JsonNode.DeepEquals(expected[key], actual[key]), $"{key}: {expected[key]?.ToJsonString()} ≠ {actual[key]?.ToJsonString()}");
        foreach (var png in new[] { "samples.png", "images.png" })
            Assert.True(File.ReadAllBytes(Path.Combine(expectedDir, png)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actualDir, png))), $"{png} differs");
        Assert.Equal(File.ReadAllText(Path.Combine(expectedDir, "samples.csv")), File.ReadAllText(Path.Combine(actualDir, "samples.csv")));
    }

    private static string[] Run(string model, string outDir) => ["run", "--model", model, "--profile", "ideal", "--samples", "150", "--out", outDir];

    private static async Task<int> ScoringActivationsAsync(string redis)
    {
        using var client = ClientHost.Build(new ClusterSettings { Redis = redis });
        await client.StartAsync();
        var stats = await client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        await client.StopAsync();
        return stats.Count(g => g.GrainId.ToString().StartsWith("runscoring/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_latent_run_joined_to_a_cluster_is_scored_on_a_silo_with_the_figures_it_would_have_had_in_the_client()
    {
        string model = Repo.ModelPath("digits3.onnx"), here = Repo.TempDir(), there = Repo.TempDir();
        var local = Repo.Cli(Run(model, here));
        Assert.True(local.Code == 0, local.Err);

        string redis = await _processes.StartRedisAsync();
        await _processes.StartSilosAsync(redis, 1);
        var joined = Repo.Cli([.. Run(model, there), "--redis", redis]);
        Assert.True(joined.Code == 0, joined.Err);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(there, "report.json")))!;
        Assert.Equal("cluster", report["simulator"]!.GetValue<string>());
        Assert.Equal("cluster", report["scored_on"]!.GetValue<string>());
        Assert.Equal("client", JsonNode.Parse(File.ReadAllText(Path.Combine(here, "report.json")))!["scored_on"]!.GetValue<string>());
        Assert.Contains("scored on the cluster", joined.Out);
        Assert.Equal(1, await ScoringActivationsAsync(redis));
        Assert.DoesNotContain("scoring in the client", joined.Err);
        AssertSameScores(here, there);
    }

    /// <summary>The VAE names its images by a path relative to the working directory (as `memgrid train-vae --data DIR` may record
    /// it): the client finds them, the silo, started elsewhere, does not.</summary>
    [Fact]
    public async Task A_silo_that_cannot_find_the_models_data_leaves_the_scoring_to_the_client()
    {
        string folder = Repo.TempDir(), idx = $"scoring-test-{Guid.NewGuid():N}"; // under the working directory: not found from the silo's, "/"
        _idx = idx;
        WriteDigitsAsIdx(idx);
        var vae = VaeModel.Load(Repo.ModelPath("digits3-vae.onnx"));
        (vae with { Data = idx }).Save(Path.Combine(folder, "digits3-vae.onnx"));
        File.Copy(Repo.ModelPath("digits3.onnx"), Path.Combine(folder, "digits3.onnx"));
        string model = Path.Combine(folder, "digits3.onnx"), here = Repo.TempDir(), there = Repo.TempDir();
        var local = Repo.Cli(Run(model, here));
        Assert.True(local.Code == 0, local.Err);

        string redis = await _processes.StartRedisAsync();
        var silo = (await _processes.StartSilosAsync(redis, 1, workingDirectory: "/")).Single();
        var joined = Repo.Cli([.. Run(model, there), "--redis", redis]);
        Assert.True(joined.Code == 0, joined.Err);
        Assert.False(silo.Process.HasExited);
        Assert.Equal(1, await ScoringActivationsAsync(redis)); // it was asked, and declined:
        Assert.Equal("client", JsonNode.Parse(File.ReadAllText(Path.Combine(there, "report.json")))!["scored_on"]!.GetValue<string>());
        Assert.True(joined.Err.Contains($"note: scoring in the client: the cluster cannot score this run (unknown image data '{idx}'", StringComparison.Ordinal), joined.Err);
        AssertSameScores(here, there);
    }

    /// <summary>The engine's digits (8 × 8, classes 0–9) as an MNIST-style IDX directory.</summary>
    private static void WriteDigitsAsIdx(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var (split, prefix) in new[] { (ImageSplit.Train, "train"), (ImageSplit.Test, "t10k") })
        {
            var set = ImageSources.LoadDigits(split);
            var images = new byte[16 + set.Pixels.Length];
            BinaryPrimitives.WriteInt32BigEndian(images, IdxFile.ImagesMagic);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), set.Count);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), set.Height);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), set.Width);
            for (int i = 0; i < set.Pixels.Length; i++) images[16 + i] = (byte)Math.Round(Math.Clamp(set.Pixels[i], 0, 1) * 255);
            var labels = new byte[8 + set.Count];
            BinaryPrimitives.WriteInt32BigEndian(labels, IdxFile.LabelsMagic);
            BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), set.Count);
            for (int i = 0; i < set.Count; i++) labels[8 + i] = (byte)set.Labels[i];
            File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"), images);
            File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"), labels);
        }
    }

    private string? _idx;

    public void Dispose()
    {
        _processes.Dispose();
        if (_idx is not null && Directory.Exists(_idx)) Directory.Delete(_idx, recursive: true);
    }
}
