using MemristorGrid.Engine;
using MemristorGrid.Engine.Networks;

namespace MemristorGrid.Client.Commands;

/// <summary>Turns the label option into one intended label per sample.</summary>
internal static class SamplingInputs
{
    /// <summary>
    /// <paramref name="labelsOption"/> is a comma-separated list of class names or indices. For a
    /// conditional model with no list, every class is generated; <paramref name="perLabel"/> samples each.
    /// </summary>
    public static int[] Labels(ScoreNetwork net, string? labelsOption, int perLabel)
    {
        if (!net.IsConditional)
        {
            if (!string.IsNullOrWhiteSpace(labelsOption))
                throw new UserInputException("--labels was given but the model is unconditional (it has no label input)");
            return [];
        }
        var names = net.ClassNames;
        IEnumerable<int> chosen = string.IsNullOrWhiteSpace(labelsOption)
            ? Enumerable.Range(0, net.ClassCount)
            : labelsOption.Split(',', StringSplitOptions.TrimEntries).Select(token => Resolve(token, names, net.ClassCount));
        return chosen.SelectMany(label => Enumerable.Repeat(label, perLabel)).ToArray();
    }

    private static int Resolve(string token, IReadOnlyList<string> names, int classCount)
    {
        for (int i = 0; i < names.Count; i++)
            if (string.Equals(names[i], token, StringComparison.Ordinal)) return i;
        for (int i = 0; i < names.Count; i++)
            if (string.Equals(names[i], token, StringComparison.OrdinalIgnoreCase)) return i;
        if (int.TryParse(token, out int index) && index >= 0 && index < classCount) return index;
        throw new UserInputException($"unknown label '{token}'; the model's classes are {string.Join(", ", names)}");
    }
}
