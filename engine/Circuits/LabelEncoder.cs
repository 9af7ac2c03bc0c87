using MemristorGrid.Engine.Networks;

namespace MemristorGrid.Engine.Circuits;

/// <summary>
/// The conditional-label encoder: class names → the constant embedding values the controller's DACs add
/// to every hidden channel (the trained one-hot → Linear → GELU → Linear path, evaluated once per class;
/// the last row is the null label that classifier-free guidance uses). The one owner of class embeddings
/// and of turning a user's class names into label indices.
/// </summary>
public sealed class LabelEncoder
{
    public LabelEncoder(float[] table, IReadOnlyList<string> classNames, int width)
    {
        if (width < 1 || table.Length != (classNames.Count + 1) * width)
            throw new ArgumentException($"a label table for {classNames.Count} classes of width {width} holds {(classNames.Count + 1) * width} values, got {table.Length}");
        Table = table;
        ClassNames = classNames;
    }

    /// <summary>The encoder a conditional network carries; null for an unconditional one.</summary>
    public static LabelEncoder? Of(ScoreNetwork network) =>
        network.IsConditional ? new LabelEncoder(network.LabelTable!, network.ClassNames, network.HiddenWidth) : null;

    /// <summary>[(classes + 1) × H] in network units, row-major; the last row is the null label.</summary>
    public float[] Table { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int NullLabel => ClassNames.Count;

    /// <summary>
    /// One intended label per sample: the classes named in <paramref name="classes"/> (comma-separated names
    /// or indices; null = every class), <paramref name="perClass"/> samples each, in the order given.
    /// </summary>
    public int[] Labels(string? classes, int perClass) => Labels(ClassNames, classes, perClass);

    private static int[] Labels(IReadOnlyList<string> classNames, string? classes, int perClass)
    {
        IEnumerable<int> chosen = string.IsNullOrWhiteSpace(classes)
            ? Enumerable.Range(0, classNames.Count)
            : classes.Split(',', StringSplitOptions.TrimEntries).Select(token => Resolve(classNames, token));
        return chosen.SelectMany(label => Enumerable.Repeat(label, perClass)).ToArray();
    }

    /// <summary>A class name (exact, then case-insensitive) or index.</summary>
    public int Resolve(string token) => Resolve(ClassNames, token);

    private static int Resolve(IReadOnlyList<string> classNames, string token)
    {
        for (int i = 0; i < classNames.Count; i++)
            if (string.Equals(classNames[i], token, StringComparison.Ordinal)) return i;
        for (int i = 0; i < classNames.Count; i++)
            if (string.Equals(classNames[i], token, StringComparison.OrdinalIgnoreCase)) return i;
        if (int.TryParse(token, out int index) && index >= 0 && index < classNames.Count) return index;
        throw new UserInputException($"unknown label '{token}'; the model's classes are {string.Join(", ", classNames)}");
    }

    /// <summary>The labels for a model that may be unconditional: none, and none may be asked for.</summary>
    public static int[] LabelsFor(IScoreNetworkInfo network, string? classes, int perClass)
    {
        if (network.IsConditional) return Labels(network.ClassNames, classes, perClass);
        if (!string.IsNullOrWhiteSpace(classes))
            throw UserInputException.ForSetting("labels", "were given but the model is unconditional (it has no label input)");
        return [];
    }
}
