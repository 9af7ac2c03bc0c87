using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Latent;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Runs;
using MemristorGrid.Engine.Scoring;

namespace MemristorGrid.Engine.Tests;

/// <summary>Scoring a run away from the client (a silo): the model's files rebuilt elsewhere, the same figures, carried exactly.</summary>
public class ScoringTests
{
    private static RunFiles Digits3() =>
        RunFiles.Of(TestNetworks.ModelPath("digits3.onnx"), File.ReadAllBytes(TestNetworks.ModelPath("digits3.onnx")), OnnxImporter.Load(TestNetworks.ModelPath("digits3.onnx")).Metadata);

    [Fact]
    public void A_latent_models_files_are_its_VAEs_three_named_beside_it_and_their_content_names_them()
    {
        var files = Digits3();
        Assert.Equal(["digits3-vae.classifier.onnx", "digits3-vae.encoder.onnx", "digits3-vae.onnx"], files.Files.Select(f => f.Name).ToArray());
        Assert.Equal(files.ContentId(), Digits3().ContentId());
        var changed = files.Files[0].Bytes.ToArray();
        changed[^1] ^= 1;
        Assert.NotEqual(files.ContentId(), (files with { Files = [files.Files[1], files.Files[2], new RunFile(files.Files[0].Name, changed)] }).ContentId());
        // A ring model has no files beside it.
        var ring = TestNetworks.ModelPath("ring.onnx");
        Assert.Empty(RunFiles.Of(ring, File.ReadAllBytes(ring), OnnxImporter.Load(ring).Metadata).Files);
    }

    [Theory]
    [InlineData("../outside.onnx")]
    [InlineData("/etc/outside.onnx")]
    public void A_file_named_outside_the_models_folder_is_refused(string name)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"memgrid-scoring-test-{Guid.NewGuid():N}");
        var files = new RunFiles("m.onnx", [1, 2, 3], [new RunFile(name, [4])]);
        var e = Assert.Throws<UserInputException>(() => files.WriteInto(folder));
        Assert.Contains("outside its model's folder", e.Message);
        Assert.False(File.Exists(Path.GetFullPath(Path.Combine(folder, name))));
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>The scorer in a folder of the model's files gives, to the bit, the figures the client's own scoring gives, and they
    /// survive the trip as JSON (NaN included).</summary>
    [Fact]
    public async Task A_run_scored_from_the_models_files_elsewhere_has_the_clients_figures_to_the_bit()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"memgrid-scoring-test-{Guid.NewGuid():N}");
        try
        {
            var scorer = new ModelScorer(Digits3().WriteInto(folder));
            // Samples: reference latents of each class, slightly moved (what a run makes is not what matters here; that both sides agree is).
            var metadata = OnnxImporter.Load(TestNetworks.ModelPath("digits3.onnx")).Metadata;
            var reference = LatentTask.Load(ImageDecoding.VaePathOf(metadata)!);
            int dim = reference.Dim, count = 150;
            var samples = new float[count * dim];
            var labels = new int[count];
            for (int i = 0; i < count; i++)
            {
                int row = i * 7 % reference.Count;
                labels[i] = reference.Labels![row];
                for (int d = 0; d < dim; d++) samples[i * dim + d] = reference.X[row * dim + d] * 1.1f + 0.05f;
            }
            scorer.Prepare(1, 10_000);
            var scored = await scorer.ScoreAsync(samples, labels, dim, 1, 10_000, DecoderKinds.Onnx, default);

            var quality = QualityReport.Compute(samples, labels, dim, reference);
            var images = ImageDecoding.DecodeAndScore(ImageDecoding.JudgeOf(metadata), samples, labels, reference)!;
            Assert.Equal(ScoresJson.Write(quality, images.Quality, images.Decoder), ScoresJson.Write(scored.Quality, scored.Images, scored.Decoder));
            Assert.Equal(reference.X, scored.Reference!.X);
            Assert.Equal(reference.Labels, scored.Reference.Labels);
            var (pixels, shownLabels) = ImageDecoding.Shown(images.Pixels, images.Vae.PixelCount, labels);
            Assert.Equal(pixels, scored.ShownPixels);
            Assert.Equal(shownLabels, scored.ShownLabels);

            var json = ScoresJson.Write(scored.Quality, scored.Images, scored.Decoder);
            var (q, i2, d2) = ScoresJson.Read(json);
            Assert.Equal(json, ScoresJson.Write(q, i2, d2));
            Assert.Equal(scored.Quality!.KlPaper, q!.KlPaper);
            Assert.Equal(scored.Images!.Pooled.FrechetDistance, i2!.Pooled.FrechetDistance);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Scores_keep_NaN_and_every_bit_of_a_double_on_the_way()
    {
        var quality = new QualityReport(0.1 + 0.2, double.NaN, double.Epsilon, new ClassAccuracy(1.0 / 3, new Dictionary<string, double> { ["b"] = double.NaN, ["a"] = 0.5 }));
        var images = new ImageQualityReport(new ClassImageQuality("all", 3, 4, double.NaN, Math.PI, double.PositiveInfinity), [], 64);
        var (q, i, d) = ScoresJson.Read(ScoresJson.Write(quality, images, "onnxruntime"));
        Assert.Equal(0.1 + 0.2, q!.KlPaper);
        Assert.True(double.IsNaN(q.Kl2D));
        Assert.Equal(double.Epsilon, q.EnergyDistance);
        Assert.Equal(["b", "a"], q.ClassAccuracy!.PerClass.Keys.ToArray());
        Assert.True(double.IsNaN(q.ClassAccuracy.PerClass["b"]));
        Assert.Equal(Math.PI, i!.Pooled.FrechetDistance);
        Assert.True(double.IsPositiveInfinity(i.Pooled.LatentKlPaper));
        Assert.Equal("onnxruntime", d);
    }

    [Fact]
    public void The_shown_images_are_the_first_twelve_of_each_label_in_sample_order()
    {
        int px = 2, count = 40;
        var pixels = Enumerable.Range(0, count * px).Select(v => (float)v).ToArray();
        var labels = Enumerable.Range(0, count).Select(i => i < 30 ? i % 2 : 2).ToArray();
        var (shown, shownLabels) = ImageDecoding.Shown(pixels, px, labels);
        int[] expected = [.. Enumerable.Range(0, 24), .. Enumerable.Range(30, 10)];
        Assert.Equal(expected.Select(i => labels[i]), shownLabels);
        Assert.Equal(expected.SelectMany(i => new[] { pixels[i * px], pixels[i * px + 1] }), shown);
        // Unconditional: the first five rows of twelve.
        var (first, none) = ImageDecoding.Shown(Enumerable.Range(0, 100 * px).Select(v => (float)v).ToArray(), px, []);
        Assert.Equal(60 * px, first.Length);
        Assert.Empty(none);
    }
}
