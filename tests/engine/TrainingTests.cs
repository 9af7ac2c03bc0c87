using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Randomness;
using MemristorGrid.Engine.Training;

namespace MemristorGrid.Engine.Tests;

public class TrainingTests
{
    private static DsmBatch RandomBatch(int n, int d, int classes, ulong seed)
    {
        var batch = new DsmBatch(n, d) { Count = n };
        var rng = Streams.Rng(seed, StreamPurpose.Reference, 9);
        for (int i = 0; i < n * d; i++) { batch.Xt[i] = rng.Gaussian((ulong)i); batch.Z[i] = rng.Gaussian((ulong)(i + 10_000)); }
        var sde = new Diffusion.VpSde(0.001, 0.5);
        for (int i = 0; i < n; i++)
        {
            batch.T[i] = 0.05 + 0.9 * rng.Uniform((ulong)(20_000 + i));
            batch.Sigma[i] = sde.MarginalStd(batch.T[i]);
            batch.Labels[i] = classes == 0 ? 0 : (int)(rng.NextUInt((ulong)(30_000 + i)) % (uint)(classes + 1));
        }
        return batch;
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(3, null)]
    [InlineData(3, 1.2)]
    public void Hand_written_gradients_agree_with_finite_differences(int classes, double? saturation)
    {
        var (net, p) = TestNetworks.Trainable(d: 3, h: 8, layers: 3, classes: classes, saturation: saturation, seed: 21);
        // Scale weights up so activations cross the (lowered) penalty threshold and the saturation level.
        for (int i = 0; i < p.Length; i++) p[i] *= 2.5;
        var objective = new DenoisingScoreMatching(net, penaltyAlpha: 0.05, penaltyThreshold: 0.4);
        var batch = RandomBatch(16, 3, classes, seed: 2);
        var grad = new double[p.Length];
        objective.LossAndGradient(p, batch, grad);

        const double h = 1e-6;
        double maxError = 0;
        int checkedCount = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double saved = p[i];
            p[i] = saved + h;
            double up = objective.LossAndGradient(p, batch, new double[p.Length]);
            p[i] = saved - h;
            double down = objective.LossAndGradient(p, batch, new double[p.Length]);
            p[i] = saved;
            double numeric = (up - down) / (2 * h);
            double error = Math.Abs(numeric - grad[i]) / Math.Max(1e-3, Math.Abs(numeric) + Math.Abs(grad[i]));
            maxError = Math.Max(maxError, error);
            checkedCount++;
        }
        Assert.Equal(net.ParameterCount, checkedCount);
        Assert.True(maxError < 1e-5, $"max relative gradient error {maxError}");
        Assert.Contains(grad, g => g != 0);
    }

    [Fact]
    public void Training_is_a_pure_function_of_the_seed()
    {
        var data = BuiltInTasks.HkuLetters(600, 3);
        var options = new TrainingOptions { Epochs = 3, BatchSize = 128, HiddenWidth = 8, Seed = 5 };
        var a = new Trainer(options).Train(data, new DiffusionMetadata()).Network;
        var b = new Trainer(options).Train(data, new DiffusionMetadata()).Network;
        var c = new Trainer(options with { Seed = 6 }).Train(data, new DiffusionMetadata()).Network;
        for (int l = 0; l < a.Layers.Count; l++) Assert.Equal(a.Layers[l].Weights, b.Layers[l].Weights);
        Assert.Equal(a.LabelTable, b.LabelTable);
        Assert.NotEqual(a.Layers[0].Weights, c.Layers[0].Weights);
    }

    [Fact]
    public void Training_lowers_the_denoising_loss()
    {
        var data = BuiltInTasks.Ring(2000, 1);
        var few = new Trainer(new TrainingOptions { Epochs = 1, Seed = 2 }).Train(data, new DiffusionMetadata());
        var more = new Trainer(new TrainingOptions { Epochs = 60, Seed = 2, LearningRate = 2e-3 }).Train(data, new DiffusionMetadata());
        Assert.True(more.FinalLoss < few.FinalLoss * 0.9, $"loss {few.FinalLoss} → {more.FinalLoss}");
    }

    [Fact]
    public void Weight_noise_is_the_papers_truncated_multiplicative_noise()
    {
        var factor = new double[200_000];
        Trainer.DrawWeightNoise(factor, Streams.Rng(1, StreamPurpose.WeightNoise, 0), std: 0.1, limit: 0.2);
        Assert.All(factor, f => Assert.InRange(f, 0.8, 1.2));
        var eps = factor.Select(f => f - 1).ToArray();
        // Inside ±2σ the Gaussian keeps its draws (95.45 %); the 4.55 % beyond are spread uniformly over [−0.2, 0.2].
        double expectedVariance = 0.01 * (0.9545 - 4 * Math.Exp(-2) / Math.Sqrt(2 * Math.PI)) + 0.0455 * 0.04 / 3;
        double variance = eps.Select(e => e * e).Average();
        Assert.InRange(variance, expectedVariance * 0.97, expectedVariance * 1.03);
        Assert.InRange(eps.Average(), -0.002, 0.002);
        var none = new double[10];
        Trainer.DrawWeightNoise(none, Streams.Rng(1, StreamPurpose.WeightNoise, 0), std: 0, limit: 0.2);
        Assert.All(none, f => Assert.Equal(1.0, f));
    }

    [Fact]
    public void Invalid_options_are_refused_naming_the_setting_not_a_flag()
    {
        var e = Assert.Throws<UserInputException>(() => new TrainingOptions { HiddenWidth = 7 }.Validate());
        Assert.Equal("hidden_width", e.Setting);
        Assert.StartsWith("hidden_width must be an even number", e.Message);
        Assert.DoesNotContain("--", e.Message);
        Assert.Equal("noise_std", Assert.Throws<UserInputException>(() => new TrainingOptions { NoiseStd = -1 }.Validate()).Setting);
        Assert.Equal("epochs", Assert.Throws<UserInputException>(() => new TrainingOptions { Epochs = 0 }.Validate()).Setting);
    }

    [Fact]
    public void Erf_and_gelu_are_accurate()
    {
        // Reference values of erf (Abramowitz & Stegun table 7.1 / high-precision).
        Assert.Equal(0.5204998778130465, SpecialFunctions.Erf(0.5), 14);
        Assert.Equal(0.8427007929497149, SpecialFunctions.Erf(1.0), 14);
        Assert.Equal(0.9953222650189527, SpecialFunctions.Erf(2.0), 14);
        Assert.Equal(0.9999779095030014, SpecialFunctions.Erf(3.0), 14);
        Assert.Equal(-0.9999779095030014, SpecialFunctions.Erf(-3.0), 14);
        Assert.Equal(0.0, SpecialFunctions.Erf(0.0));
        for (double u = -4; u <= 4; u += 0.37)
        {
            double numeric = (SpecialFunctions.Gelu(u + 1e-6) - SpecialFunctions.Gelu(u - 1e-6)) / 2e-6;
            Assert.Equal(numeric, SpecialFunctions.GeluDerivative(u), 8);
        }
    }
}
