namespace MemristorGrid.Engine.Data;

/// <summary>Row-major points [Count × Dim] with optional integer labels and their class names.</summary>
public sealed class Dataset
{
    public Dataset(int dim, float[] x, int[]? labels, IReadOnlyList<string> classNames)
    {
        if (dim < 1) throw new ArgumentException("dimension must be ≥ 1");
        if (x.Length % dim != 0) throw new ArgumentException("data length is not a multiple of the dimension");
        if (labels is not null && labels.Length != x.Length / dim) throw new ArgumentException("one label per row expected");
        if (labels is not null && classNames.Count == 0) throw new ArgumentException("labels need class names");
        Dim = dim;
        X = x;
        Labels = labels;
        ClassNames = classNames;
    }

    public int Dim { get; }
    public int Count => X.Length / Dim;
    public float[] X { get; }
    public int[]? Labels { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public bool IsLabelled => Labels is not null;

    public ReadOnlySpan<float> Row(int i) => X.AsSpan(i * Dim, Dim);

    /// <summary>Rows whose label is <paramref name="label"/>.</summary>
    public Dataset OnlyClass(int label)
    {
        if (Labels is null) throw new InvalidOperationException("dataset has no labels");
        var rows = Enumerable.Range(0, Count).Where(i => Labels[i] == label).ToArray();
        var x = new float[rows.Length * Dim];
        for (int r = 0; r < rows.Length; r++) Row(rows[r]).CopyTo(x.AsSpan(r * Dim, Dim));
        return new Dataset(Dim, x, Enumerable.Repeat(label, rows.Length).ToArray(), ClassNames);
    }
}
