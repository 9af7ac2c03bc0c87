namespace MemristorGrid.Engine.Images;

/// <summary>
/// Labelled grey-scale images, row-major pixels in [0, 1] ([Count × Width·Height]), with the names
/// of the classes the labels index.
/// </summary>
public sealed class ImageSet
{
    public ImageSet(int width, int height, float[] pixels, int[] labels, IReadOnlyList<string> classNames, string source)
    {
        if (width < 1 || height < 1) throw new ArgumentException("image size must be positive");
        int p = width * height;
        if (pixels.Length % p != 0 || pixels.Length / p != labels.Length) throw new ArgumentException("one label per image expected");
        Width = width;
        Height = height;
        Pixels = pixels;
        Labels = labels;
        ClassNames = classNames;
        Source = source;
    }

    public int Width { get; }
    public int Height { get; }
    public int PixelCount => Width * Height;
    public int Count => Labels.Length;
    public float[] Pixels { get; }
    public int[] Labels { get; }
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Where the images came from (a data set name or a path), for messages and metadata.</summary>
    public string Source { get; }

    public ReadOnlySpan<float> Image(int i) => Pixels.AsSpan(i * PixelCount, PixelCount);

    /// <summary>
    /// The images of the chosen classes, relabelled 0…K−1 in the order given (so a 3-class model's
    /// label 0 is the first class named); this set itself when every class is chosen in order.
    /// </summary>
    public ImageSet OnlyClasses(IReadOnlyList<int> classes)
    {
        var newLabel = new Dictionary<int, int>();
        for (int k = 0; k < classes.Count; k++)
        {
            if (classes[k] < 0 || classes[k] >= ClassNames.Count)
                throw new UserInputException($"{Source}: class {classes[k]} does not exist (classes are 0…{ClassNames.Count - 1})");
            if (!newLabel.TryAdd(classes[k], k)) throw new UserInputException($"{Source}: class {ClassNames[classes[k]]} is chosen twice");
        }
        // Every class in its own order (a model trained on the whole data set): these images as they are. The copy was 188 MB of
        // Fashion-MNIST's training pixels written for nothing, 2 % of a 10 000-sample fashion run's CPU.
        if (classes.Count == ClassNames.Count && Enumerable.Range(0, classes.Count).All(k => classes[k] == k)) return this;
        var rows = Enumerable.Range(0, Count).Where(i => newLabel.ContainsKey(Labels[i])).ToArray();
        var pixels = new float[rows.Length * PixelCount];
        var labels = new int[rows.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            Image(rows[r]).CopyTo(pixels.AsSpan(r * PixelCount, PixelCount));
            labels[r] = newLabel[Labels[rows[r]]];
        }
        return new ImageSet(Width, Height, pixels, labels, classes.Select(c => ClassNames[c]).ToArray(), Source);
    }

    /// <summary>Class names as <see cref="OnlyClasses"/> needs them: each entry an index or a name.</summary>
    public IReadOnlyList<int> ResolveClasses(IEnumerable<string> names)
    {
        var result = new List<int>();
        foreach (var raw in names)
        {
            string name = raw.Trim();
            int byName = ClassNames.ToList().FindIndex(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
            if (byName >= 0) result.Add(byName);
            else if (int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index)
                     && index < ClassNames.Count) result.Add(index);
            else throw new UserInputException($"{Source}: unknown class '{name}' (classes: {string.Join(", ", ClassNames.Select((c, i) => c == i.ToString(System.Globalization.CultureInfo.InvariantCulture) ? c : $"{i} = {c}"))})");
        }
        if (result.Count < 2) throw UserInputException.ForSetting("classes", $"must name at least two classes (got {result.Count})");
        return result;
    }
}
