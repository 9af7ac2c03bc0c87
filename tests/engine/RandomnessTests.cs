using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Tests;

public class RandomnessTests
{
    [Fact]
    public void Philox_matches_the_Random123_known_answers()
    {
        Assert.Equal((0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u), Philox.Block(0, 0, 0, 0, 0, 0));
        Assert.Equal((0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu),
            Philox.Block(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff));
        Assert.Equal((0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u),
            Philox.Block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    [Fact]
    public void A_draw_is_a_pure_function_of_seed_stream_and_counter()
    {
        var a = new CounterRng(42, 7);
        var b = new CounterRng(42, 7);
        // Read b out of order: the value at a counter does not depend on what was drawn before.
        var backwards = Enumerable.Range(0, 100).Reverse().Select(i => b.Gaussian((ulong)i)).Reverse().ToArray();
        var forwards = Enumerable.Range(0, 100).Select(i => a.Gaussian((ulong)i)).ToArray();
        Assert.Equal(forwards, backwards);
        Assert.NotEqual(a.Gaussian(0), new CounterRng(43, 7).Gaussian(0));
        Assert.NotEqual(a.Gaussian(0), new CounterRng(42, 8).Gaussian(0));
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(3UL)]
    [InlineData(1000UL)]
    public void Fill_from_any_offset_equals_pointwise_draws(ulong start)
    {
        var rng = Streams.Rng(5, StreamPurpose.SamplerNoise, 3);
        var filled = new float[37];
        rng.FillGaussian(filled, start);
        for (int i = 0; i < filled.Length; i++)
            Assert.Equal((float)rng.Gaussian(start + (ulong)i), filled[i]);
    }

    [Fact]
    public void Gaussian_and_uniform_moments_match_within_sample_size_tolerance()
    {
        const int n = 200_000;
        var rng = Streams.Rng(11, StreamPurpose.Reference);
        var g = new double[n];
        rng.FillGaussian(g);
        double mean = g.Average();
        double variance = g.Select(v => (v - mean) * (v - mean)).Sum() / (n - 1);
        double skew = g.Select(v => Math.Pow(v - mean, 3)).Average();
        double kurtosis = g.Select(v => Math.Pow(v - mean, 4)).Average();
        Assert.InRange(mean, -5 / Math.Sqrt(n), 5 / Math.Sqrt(n));
        Assert.InRange(variance, 1 - 5 * Math.Sqrt(2.0 / n), 1 + 5 * Math.Sqrt(2.0 / n));
        Assert.InRange(skew, -5 * Math.Sqrt(15.0 / n), 5 * Math.Sqrt(15.0 / n));
        Assert.InRange(kurtosis, 3 - 5 * Math.Sqrt(96.0 / n), 3 + 5 * Math.Sqrt(96.0 / n));

        var u = Enumerable.Range(0, n).Select(i => rng.Uniform((ulong)(n + i))).ToArray();
        Assert.All(u, v => Assert.InRange(v, double.Epsilon, 1.0));
        Assert.InRange(u.Average(), 0.5 - 5 * Math.Sqrt(1 / 12.0 / n), 0.5 + 5 * Math.Sqrt(1 / 12.0 / n));
    }

    [Fact]
    public void Neighbouring_streams_are_uncorrelated()
    {
        const int n = 100_000;
        var a = new double[n];
        var b = new double[n];
        Streams.Rng(1, StreamPurpose.SamplerNoise, 0).FillGaussian(a);
        Streams.Rng(1, StreamPurpose.SamplerNoise, 1).FillGaussian(b);
        double corr = a.Zip(b, (x, y) => x * y).Sum() / n;
        Assert.InRange(corr, -5 / Math.Sqrt(n), 5 / Math.Sqrt(n));
        // Consecutive draws within one stream are uncorrelated too.
        double lag = a.Zip(a.Skip(1), (x, y) => x * y).Sum() / (n - 1);
        Assert.InRange(lag, -5 / Math.Sqrt(n), 5 / Math.Sqrt(n));
    }

    [Fact]
    public void Stream_ids_differ_by_purpose_and_index()
    {
        var ids = new HashSet<ulong>();
        foreach (StreamPurpose p in Enum.GetValues<StreamPurpose>())
            for (ulong a = 0; a < 50; a++)
                for (ulong b = 0; b < 5; b++)
                    Assert.True(ids.Add(Streams.Id(p, a, b)));
    }
}
