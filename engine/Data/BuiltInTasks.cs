using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Data;

/// <summary>The built-in tasks: the paper's ring and the H/K/U letter clouds, generated from a seed.</summary>
public static class BuiltInTasks
{
    public static readonly IReadOnlyList<string> Names = ["ring", "hku", "gmm16"];

    /// <summary>Samples of a built-in task: the paper uses 10 000 training points.</summary>
    public static Dataset Generate(string task, int count, ulong seed, ulong stream = 0) => task switch
    {
        "ring" => Ring(count, seed, stream),
        "hku" => HkuLetters(count, seed, stream),
        "gmm16" => GaussianMixture16(count, seed, stream),
        _ => throw new UserInputException($"unknown task '{task}' (expected {string.Join(", ", Names)} or csv:PATH)"),
    };

    /// <summary>Dimension, components and spread of the <c>gmm16</c> task.</summary>
    public const int MixtureDim = 16, MixtureComponents = 8;
    public const double MixtureRadius = 1.5, MixtureStd = 0.3;

    /// <summary>
    /// Means of the <c>gmm16</c> components: <see cref="MixtureRadius"/> times unit vectors drawn once
    /// from a fixed key, so the task's density is the same whatever seed draws its points.
    /// </summary>
    public static float[] MixtureMeans()
    {
        var rng = Streams.Rng(0x6D656D6772696431UL, StreamPurpose.Dataset, 3);
        var means = new float[MixtureComponents * MixtureDim];
        var v = new double[MixtureDim];
        for (int k = 0; k < MixtureComponents; k++)
        {
            for (int j = 0; j < MixtureDim; j++) v[j] = rng.Gaussian((ulong)(k * MixtureDim + j));
            double norm = Math.Sqrt(v.Sum(a => a * a));
            for (int j = 0; j < MixtureDim; j++) means[k * MixtureDim + j] = (float)(MixtureRadius * v[j] / norm);
        }
        return means;
    }

    /// <summary>
    /// A mixture of <see cref="MixtureComponents"/> equally weighted isotropic Gaussians in 16 dimensions
    /// (σ = <see cref="MixtureStd"/>): a larger task whose density is known exactly.
    /// </summary>
    public static Dataset GaussianMixture16(int count, ulong seed, ulong stream = 0)
    {
        var means = MixtureMeans();
        var rng = Streams.Rng(seed, StreamPurpose.Dataset, 4, stream);
        var x = new float[count * MixtureDim];
        for (int i = 0; i < count; i++)
        {
            int k = (int)(rng.NextUInt((1UL << 40) + (ulong)i) % MixtureComponents);
            for (int j = 0; j < MixtureDim; j++)
                x[i * MixtureDim + j] = (float)(means[k * MixtureDim + j] + MixtureStd * rng.Gaussian((ulong)i * MixtureDim + (ulong)j));
        }
        return new Dataset(MixtureDim, x, null, []);
    }

    /// <summary>Points on a circle: radius ~ N(0.7, 0.04²), angle uniform (the paper's unconditional task).</summary>
    public static Dataset Ring(int count, ulong seed, ulong stream = 0)
    {
        var rng = Streams.Rng(seed, StreamPurpose.Dataset, 1, stream);
        var x = new float[count * 2];
        for (int i = 0; i < count; i++)
        {
            double radius = 0.7 + 0.04 * rng.Gaussian((ulong)i);
            double angle = 2 * Math.PI * rng.Uniform((1UL << 40) + (ulong)i);
            x[2 * i] = (float)(radius * Math.Cos(angle));
            x[2 * i + 1] = (float)(radius * Math.Sin(angle));
        }
        return new Dataset(2, x, null, []);
    }

    /// <summary>
    /// The letters H, K, U side by side as in the word "HKU", each a 3-class cloud of points uniform
    /// over the letter's strokes (thick line segments; U's bowl is an arc). Letter cells are 0.8 wide
    /// and 2.4 tall, centred at x = −1.05, 0, 1.05, so the whole word spans about [−1.45, 1.45] × [−1.2, 1.2].
    /// Classes get equal shares of <paramref name="count"/>.
    /// </summary>
    public static Dataset HkuLetters(int count, ulong seed, ulong stream = 0)
    {
        var rng = Streams.Rng(seed, StreamPurpose.Dataset, 2, stream);
        var letters = new[] { LetterH(-1.05), LetterK(0.0), LetterU(1.05) };
        var x = new float[count * 2];
        var labels = new int[count];
        ulong c = 0;
        for (int i = 0; i < count; i++)
        {
            int label = i % 3;
            var strokes = letters[label];
            // Pick a stroke in proportion to its area, then a uniform point across its thickness.
            double total = strokes.Sum(s => s.Area);
            double pick = rng.Uniform(c++) * total;
            var stroke = strokes[^1];
            foreach (var s in strokes) { if (pick <= s.Area) { stroke = s; break; } pick -= s.Area; }
            var (px, py) = stroke.Sample(rng.Uniform(c++), rng.Uniform(c++));
            x[2 * i] = (float)px;
            x[2 * i + 1] = (float)py;
            labels[i] = label;
        }
        return new Dataset(2, x, labels, ["H", "K", "U"]);
    }

    private const double HalfHeight = 1.2, HalfWidth = 0.4, Thickness = 0.16;

    private abstract record Stroke
    {
        public abstract double Area { get; }
        public abstract (double X, double Y) Sample(double u, double v);
    }

    /// <summary>A straight stroke from (x0, y0) to (x1, y1) of the letter's thickness.</summary>
    private sealed record Segment(double X0, double Y0, double X1, double Y1) : Stroke
    {
        public double Length => Math.Sqrt((X1 - X0) * (X1 - X0) + (Y1 - Y0) * (Y1 - Y0));
        public override double Area => Length * Thickness;
        public override (double X, double Y) Sample(double u, double v)
        {
            double nx = -(Y1 - Y0) / Length, ny = (X1 - X0) / Length;
            double across = (v - 0.5) * Thickness;
            return (X0 + u * (X1 - X0) + across * nx, Y0 + u * (Y1 - Y0) + across * ny);
        }
    }

    /// <summary>A circular arc stroke (centre, radius, angle range) of the letter's thickness.</summary>
    private sealed record Arc(double Cx, double Cy, double Radius, double From, double To) : Stroke
    {
        public override double Area => Math.Abs(To - From) * Radius * Thickness;
        public override (double X, double Y) Sample(double u, double v)
        {
            // Uniform in area: radius² uniform between inner² and outer².
            double inner = Radius - Thickness / 2, outer = Radius + Thickness / 2;
            double r = Math.Sqrt(inner * inner + v * (outer * outer - inner * inner));
            double a = From + u * (To - From);
            return (Cx + r * Math.Cos(a), Cy + r * Math.Sin(a));
        }
    }

    private static Stroke[] LetterH(double cx) =>
    [
        new Segment(cx - HalfWidth, -HalfHeight, cx - HalfWidth, HalfHeight),
        new Segment(cx + HalfWidth, -HalfHeight, cx + HalfWidth, HalfHeight),
        new Segment(cx - HalfWidth, 0, cx + HalfWidth, 0),
    ];

    private static Stroke[] LetterK(double cx) =>
    [
        new Segment(cx - HalfWidth, -HalfHeight, cx - HalfWidth, HalfHeight),
        new Segment(cx - HalfWidth, 0, cx + HalfWidth, HalfHeight),
        new Segment(cx - HalfWidth, 0, cx + HalfWidth, -HalfHeight),
    ];

    private static Stroke[] LetterU(double cx) =>
    [
        new Segment(cx - HalfWidth, -HalfHeight + HalfWidth, cx - HalfWidth, HalfHeight),
        new Segment(cx + HalfWidth, -HalfHeight + HalfWidth, cx + HalfWidth, HalfHeight),
        new Arc(cx, -HalfHeight + HalfWidth, HalfWidth, Math.PI, 2 * Math.PI),
    ];
}
