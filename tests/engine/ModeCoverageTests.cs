using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Tests;

/// <summary>The mode-coverage metric on a labelled 8-Gaussian mixture in the plane (σ 0.1 around a circle of radius 1): it must see the
/// modes a pooled metric can miss, and stay quiet when every mode is there.</summary>
public class ModeCoverageTests
{
    private static readonly string[] Names = Enumerable.Range(0, 8).Select(k => $"blob {k}").ToArray();

    /// <summary><paramref name="count"/> points, point i from component <paramref name="component"/>(i), drawn from stream <paramref name="stream"/>.</summary>
    private static (float[] X, int[] Labels) Mixture(int count, ulong stream, Func<int, int> component)
    {
        var rng = Streams.Rng(5, StreamPurpose.Dataset, 99, stream);
        var x = new float[2 * count];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int k = labels[i] = component(i);
            double angle = 2 * Math.PI * k / 8;
            x[2 * i] = (float)(Math.Cos(angle) + 0.1 * rng.Gaussian((ulong)(2 * i)));
            x[2 * i + 1] = (float)(Math.Sin(angle) + 0.1 * rng.Gaussian((ulong)(2 * i + 1)));
        }
        return (x, labels);
    }

    private static Dataset Reference()
    {
        var (x, labels) = Mixture(4000, 0, i => i % 8);
        return new Dataset(2, x, labels, Names);
    }

    [Fact]
    public void Samples_of_the_same_mixture_recover_every_mode()
    {
        var (samples, _) = Mixture(2000, 1, i => i % 8);
        var m = ModeCoverage.Compute(samples, [], 2, Reference())!;
        Assert.Equal(8, m.Modes);
        Assert.Equal(8, m.Recovered);
        Assert.InRange(m.InModeFraction, 0.93, 0.97);
        Assert.InRange(m.WeightError!.Value, 0, 0.03);
    }

    [Fact]
    public void Two_emptied_blobs_are_named_as_lost()
    {
        // Blobs 2 and 5 emptied into their neighbours: the same number of samples, six modes.
        var (samples, _) = Mixture(2000, 2, i => (i % 8) switch { 2 => 1, 5 => 6, var k => k });
        var m = ModeCoverage.Compute(samples, [], 2, Reference())!;
        Assert.Equal(6, m.Recovered);
        Assert.Equal(["blob 2", "blob 5"], m.PerMode.Where(p => !p.Recovered).Select(p => p.Mode));
        Assert.InRange(m.WeightError!.Value, 0.2, 0.3); // a quarter of the weight sits in the wrong modes
    }

    [Fact]
    public void Samples_smeared_into_an_arc_are_outside_every_mode()
    {
        // On the circle between the blobs: near every blob's centre line, inside none.
        var samples = Enumerable.Range(0, 800).SelectMany(i =>
        {
            double angle = 2 * Math.PI * (i % 8 + 0.5) / 8;
            return new[] { (float)Math.Cos(angle), (float)Math.Sin(angle) };
        }).ToArray();
        var m = ModeCoverage.Compute(samples, [], 2, Reference())!;
        Assert.Equal(0, m.Recovered);
        Assert.Equal(0, m.InModeFraction);
    }

    [Fact]
    public void Conditioned_samples_count_for_the_mode_they_were_asked_for()
    {
        var (samples, labels) = Mixture(800, 3, i => i % 8);
        var right = ModeCoverage.Compute(samples, labels, 2, Reference())!;
        Assert.Equal(8, right.Recovered);
        Assert.Null(right.WeightError);
        // Class 3's samples drawn from blob 4: class 3 is lost, though every blob has samples.
        var wrong = labels.Select(l => l == 4 ? 3 : l == 3 ? 4 : l).ToArray();
        var swapped = ModeCoverage.Compute(samples, wrong, 2, Reference())!;
        Assert.Equal(["blob 3", "blob 4"], swapped.PerMode.Where(p => !p.Recovered).Select(p => p.Mode));
    }

    [Fact]
    public void An_unlabelled_reference_has_no_modes_and_runaway_samples_are_counted()
    {
        var reference = Reference();
        var (samples, _) = Mixture(100, 4, i => i % 8);
        Assert.Null(ModeCoverage.Compute(samples, [], 2, new Dataset(2, reference.X, null, [])));
        Assert.Equal(0, SampleMetrics.BeyondRange(samples, reference.X, 2));
        samples[10] = 5f;        // far beyond the span (−1.3 … 1.3, widened to ±2.6)
        samples[21] = float.NaN; // a diverged integrator
        Assert.Equal(2, SampleMetrics.BeyondRange(samples, reference.X, 2));
    }
}
