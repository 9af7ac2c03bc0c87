using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Metrics;

namespace MemristorGrid.Engine.Tests;

public class MetricsTests
{
    [Fact]
    public void Paper_kl_matches_a_hand_computed_value()
    {
        // Generated: all in bin 25 ([0, 0.16)); reference: half in bin 25, half in bin 26.
        float[] gen = [0.05f, 0.05f, 0.05f, 0.05f];
        float[] refs = [0.05f, 0.05f, 0.2f, 0.2f];
        double eps = 1e-10, z = 1 + 50 * eps;
        double p25 = (1 + eps) / z, pOther = eps / z;
        double q25 = (0.5 + eps) / z, q26 = (0.5 + eps) / z, qOther = eps / z;
        double expected = p25 * Math.Log(p25 / q25) + pOther * Math.Log(pOther / q26) + 48 * pOther * Math.Log(pOther / qOther);
        Assert.Equal(expected, SampleMetrics.PaperKl(gen, refs), 12);
    }

    [Fact]
    public void Kl_and_energy_distance_separate_same_from_different_distributions()
    {
        var a = BuiltInTasks.Ring(10_000, 1, stream: 5);
        var b = BuiltInTasks.Ring(10_000, 1, stream: 6);
        var shifted = a.X.Select((v, i) => i % 2 == 0 ? v + 0.3f : v).ToArray();
        double same = SampleMetrics.PaperKl(a.X, b.X);
        double different = SampleMetrics.PaperKl(shifted, b.X);
        Assert.True(same < 0.01, $"same-distribution KL {same}");
        Assert.True(different > 10 * same, $"{different} vs {same}");
        Assert.True(SampleMetrics.Histogram2DKl(a.X, b.X, 2) < SampleMetrics.Histogram2DKl(shifted, b.X, 2));
        double edSame = SampleMetrics.EnergyDistance(a.X, b.X, 2);
        double edDiff = SampleMetrics.EnergyDistance(shifted, b.X, 2);
        Assert.InRange(edSame, 0, 0.01);
        Assert.True(edDiff > 0.05, $"energy distance {edDiff}");
    }

    [Fact]
    public void Nearest_neighbour_accuracy_is_high_for_true_letters_and_low_for_wrong_labels()
    {
        var reference = BuiltInTasks.HkuLetters(3000, 1, stream: 1);
        var fresh = BuiltInTasks.HkuLetters(900, 1, stream: 2);
        var classifier = new NearestNeighbourClassifier(reference);
        var right = classifier.Score(fresh.X, fresh.Labels);
        Assert.True(right.Overall > 0.99, $"accuracy {right.Overall}");
        var wrong = classifier.Score(fresh.X, fresh.Labels!.Select(l => (l + 1) % 3).ToArray());
        Assert.True(wrong.Overall < 0.01, $"accuracy with shifted labels {wrong.Overall}");
        Assert.Equal(3, right.PerClass.Count);
    }

    [Theory]
    [InlineData(2, 0.5f)]   // a coarse grid in 2-D: most distances tie
    [InlineData(8, 0.25f)]  // the latent tasks' dimension, ties still common
    [InlineData(8, 0f)]     // continuous values
    public void The_tree_finds_the_same_neighbours_as_the_scan_ties_included(int dim, float grid)
    {
        var random = new Random(7);
        float Draw() { float v = (float)(random.NextDouble() * 4 - 2); return grid > 0 ? MathF.Round(v / grid) * grid : v; }
        int count = 3000;
        var x = new float[count * dim];
        for (int i = 0; i < x.Length; i++) x[i] = Draw();
        var labels = Enumerable.Range(0, count).Select(_ => random.Next(5)).ToArray();
        var classifier = new NearestNeighbourClassifier(new Dataset(dim, x, labels, ["a", "b", "c", "d", "e"]));
        var point = new float[dim];
        var found = new int[15];
        for (int q = 0; q < 2000; q++)
        {
            for (int j = 0; j < dim; j++) point[j] = q % 3 == 0 ? x[(q * 7 % count) * dim + j] : Draw(); // some queries sit on references
            Assert.Equal(classifier.PredictByScan(point), classifier.Predict(point));
            Assert.True(classifier.Nearest(point, found));
            Assert.Equal(NearestBySorting(x, dim, point, found.Length), found);
        }
        point[0] = float.NaN; // a runaway sample gets the scan's answer
        Assert.Equal(classifier.PredictByScan(point), classifier.Predict(point));
        point[0] = float.PositiveInfinity;
        Assert.Equal(classifier.PredictByScan(point), classifier.Predict(point));
    }

    /// <summary>The k nearest indices by definition: every reference's distance as the scan computes it (a float difference, squared
    /// and summed in double), ordered by (distance, index).</summary>
    private static int[] NearestBySorting(float[] x, int dim, float[] point, int k) =>
        Enumerable.Range(0, x.Length / dim).Select(i =>
        {
            double sq = 0;
            for (int j = 0; j < dim; j++) { double diff = x[i * dim + j] - point[j]; sq += diff * diff; }
            return (sq, i);
        }).OrderBy(t => t.sq).ThenBy(t => t.i).Take(k).Select(t => t.i).ToArray();
}
