using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MemristorGrid.Engine.Data;

/// <summary>
/// The user's own data: a CSV with a header of x1..xD and an optional <c>label</c> column (any text;
/// classes are the distinct labels, numerically ordered when all are integers). Every problem is
/// reported with the file and line.
/// </summary>
public static class CsvDataset
{
    public static Dataset Load(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"{path}: file not found");
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new UserInputException($"{path}: cannot read ({e.Message})"); }
        return Parse(lines, path);
    }

    public static Dataset Parse(IReadOnlyList<string> lines, string source)
    {
        int headerLine = 0;
        while (headerLine < lines.Count && string.IsNullOrWhiteSpace(lines[headerLine])) headerLine++;
        if (headerLine == lines.Count) throw new UserInputException($"{source}: the file is empty (expected a header x1,...,xD[,label] and data rows)");

        var header = lines[headerLine].Split(',').Select(h => h.Trim().Trim('"')).ToArray();
        int labelColumn = Array.FindIndex(header, h => h.Equals("label", StringComparison.OrdinalIgnoreCase));
        var featureColumns = new int[header.Count(h => !h.Equals("label", StringComparison.OrdinalIgnoreCase))];
        if (featureColumns.Length == 0) throw new UserInputException($"{source}:{headerLine + 1}: header has no x1..xD columns");
        for (int c = 0; c < header.Length; c++)
        {
            if (c == labelColumn) continue;
            if (header[c].Length < 2 || char.ToLowerInvariant(header[c][0]) != 'x'
                || !int.TryParse(header[c].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int k)
                || k < 1 || k > featureColumns.Length)
                throw new UserInputException($"{source}:{headerLine + 1}: column '{header[c]}' is not one of x1..x{featureColumns.Length} or label");
            if (featureColumns[k - 1] != 0)
                throw new UserInputException($"{source}:{headerLine + 1}: column '{header[c]}' appears twice");
            featureColumns[k - 1] = c + 1; // store 1-based to tell "unset" from column 0
        }
        if (header.Count(h => h.Equals("label", StringComparison.OrdinalIgnoreCase)) > 1)
            throw new UserInputException($"{source}:{headerLine + 1}: column 'label' appears twice");
        int dim = featureColumns.Length;

        var values = new List<float>();
        var rawLabels = new List<string>();
        for (int li = headerLine + 1; li < lines.Count; li++)
        {
            string line = lines[li];
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = line.Split(',');
            if (fields.Length != header.Length)
                throw new UserInputException($"{source}:{li + 1}: row has {fields.Length} fields, the header has {header.Length}");
            for (int k = 0; k < dim; k++)
            {
                int c = featureColumns[k] - 1;
                string text = fields[c].Trim();
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    throw new UserInputException($"{source}:{li + 1}: column {header[c]}: '{text}' is not a number");
                if (!double.IsFinite(v) || Math.Abs(v) > float.MaxValue)
                    throw new UserInputException($"{source}:{li + 1}: column {header[c]}: '{text}' is not a finite number");
                values.Add((float)v);
            }
            if (labelColumn >= 0)
            {
                string label = fields[labelColumn].Trim().Trim('"');
                if (label.Length == 0) throw new UserInputException($"{source}:{li + 1}: empty label");
                rawLabels.Add(label);
            }
        }
        if (values.Count == 0) throw new UserInputException($"{source}: no data rows after the header");

        if (labelColumn < 0) return new Dataset(dim, values.ToArray(), null, []);
        var distinct = rawLabels.Distinct().ToList();
        bool numeric = distinct.All(l => long.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
        var classNames = numeric
            ? distinct.OrderBy(l => long.Parse(l, CultureInfo.InvariantCulture)).ToList()
            : distinct.OrderBy(l => l, StringComparer.Ordinal).ToList();
        var index = classNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i);
        return new Dataset(dim, values.ToArray(), rawLabels.Select(l => index[l]).ToArray(), classNames);
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Writes points (and class names when labelled) as CSV in the same format <see cref="Load"/> reads.</summary>
    public static string Format(ReadOnlySpan<float> x, int dim, ReadOnlySpan<int> labels, IReadOnlyList<string> classNames)
    {
        var sb = new StringBuilder();
        for (int k = 1; k <= dim; k++) { if (k > 1) sb.Append(','); sb.Append('x').Append(k); }
        if (labels.Length > 0) sb.Append(",label");
        sb.Append('\n');
        int n = x.Length / dim;
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < dim; k++)
            {
                if (k > 0) sb.Append(',');
                sb.Append(x[i * dim + k].ToString("R", CultureInfo.InvariantCulture));
            }
            if (labels.Length > 0) sb.Append(',').Append(classNames.Count > 0 ? classNames[labels[i]] : labels[i].ToString(CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
