using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using nietras.SeparatedValues;

namespace MemristorGrid.Engine.Data;

/// <summary>
/// The user's own data: a CSV with a header of x1..xD and an optional <c>label</c> column (any text;
/// classes are the distinct labels, numerically ordered when all are integers). Read with Sep
/// (RFC 4180 quoting, the separator detected from the header — comma, semicolon, tab or pipe — BOM
/// and CRLF), so a pandas <c>to_csv</c> file loads as written: its unnamed leading index column is
/// ignored. Every problem is reported with the file and line.
/// </summary>
public static class CsvDataset
{
    public static Dataset Load(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"{path}: file not found");
        string text;
        try { text = File.ReadAllText(path); } // detects and drops a UTF-8/16 BOM
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new UserInputException($"{path}: cannot read ({e.Message})"); }
        return Parse(text, path);
    }

    public static Dataset Parse(IReadOnlyList<string> lines, string source) => Parse(string.Join('\n', lines), source);

    public static Dataset Parse(string text, string source)
    {
        text = text.TrimStart('\uFEFF');
        // Sep reads the first line as the header: skip leading blank lines, and count them for line numbers.
        int skipped = 0;
        while (true)
        {
            int end = text.IndexOf('\n');
            string first = end < 0 ? text : text[..end];
            if (first.Trim().Length > 0 || end < 0) break;
            text = text[(end + 1)..];
            skipped++;
        }
        if (text.Trim().Length == 0) throw new UserInputException($"{source}: the file is empty (expected a header x1,...,xD[,label] and data rows)");
        int headerLine = skipped + 1;

        // The header is read as the first row (not as Sep's header) so that duplicate names get our message.
        using var reader = Sep.Reader(o => o with { HasHeader = false, Unescape = true, Trim = SepTrim.All, DisableColCountCheck = true }).FromText(text);
        using var rows = reader.GetEnumerator();
        if (!rows.MoveNext()) throw new UserInputException($"{source}: the file is empty (expected a header x1,...,xD[,label] and data rows)");
        {
            var first = rows.Current;
            var header = new string[first.ColCount];
            for (int c = 0; c < header.Length; c++) header[c] = first[c].ToString().Trim();
            // pandas writes its index as an unnamed first column.
            int firstColumn = header.Length > 1 && header[0].Length == 0 ? 1 : 0;
            int labelColumn = Array.FindIndex(header, h => h.Equals("label", StringComparison.OrdinalIgnoreCase));
            int featureCount = header.Skip(firstColumn).Count(h => !h.Equals("label", StringComparison.OrdinalIgnoreCase));
            if (featureCount == 0) throw new UserInputException($"{source}:{headerLine}: header has no x1..xD columns");
            var featureColumns = new int[featureCount];
            for (int c = firstColumn; c < header.Length; c++)
            {
                if (c == labelColumn) continue;
                if (header[c].Length < 2 || char.ToLowerInvariant(header[c][0]) != 'x'
                    || !int.TryParse(header[c].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int k)
                    || k < 1 || k > featureCount)
                    throw new UserInputException($"{source}:{headerLine}: column '{header[c]}' is not one of x1..x{featureCount} or label");
                if (featureColumns[k - 1] != 0)
                    throw new UserInputException($"{source}:{headerLine}: column '{header[c]}' appears twice");
                featureColumns[k - 1] = c + 1; // store 1-based to tell "unset" from column 0
            }
            if (header.Count(h => h.Equals("label", StringComparison.OrdinalIgnoreCase)) > 1)
                throw new UserInputException($"{source}:{headerLine}: column 'label' appears twice");
            int dim = featureColumns.Length;

            var values = new List<float>();
            var rawLabels = new List<string>();
            try
            {
                while (rows.MoveNext())
                {
                    var row = rows.Current;
                    int line = row.LineNumberFrom + skipped;
                    if (row.ColCount == 1 && row[0].Span.Trim().IsEmpty) continue; // a blank line
                    if (row.ColCount != header.Length)
                        throw new UserInputException($"{source}:{line}: row has {row.ColCount} fields, the header has {header.Length}");
                    for (int k = 0; k < dim; k++)
                    {
                        int c = featureColumns[k] - 1;
                        string field = row[c].ToString();
                        if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                            throw new UserInputException($"{source}:{line}: column {header[c]}: '{field}' is not a number");
                        if (!double.IsFinite(v) || Math.Abs(v) > float.MaxValue)
                            throw new UserInputException($"{source}:{line}: column {header[c]}: '{field}' is not a finite number");
                        values.Add((float)v);
                    }
                    if (labelColumn >= 0)
                    {
                        string label = row[labelColumn].ToString();
                        if (label.Length == 0) throw new UserInputException($"{source}:{line}: empty label");
                        rawLabels.Add(label);
                    }
                }
            }
            catch (Exception e) when (e is InvalidDataException or FormatException)
            { throw new UserInputException($"{source}: not valid CSV ({e.Message})"); }
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
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>A field as RFC 4180 writes it: quoted, with quotes doubled, when it holds a comma, quote or line break.</summary>
    private static string Quoted(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    /// <summary>Writes points (and class names when labelled) as CSV in the same format <see cref="Load"/> reads.</summary>
    public static string Format(ReadOnlySpan<float> x, int dim, ReadOnlySpan<int> labels, IReadOnlyList<string> classNames)
    {
        using var w = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        Write(w, x, dim, labels, classNames);
        return w.ToString();
    }

    /// <summary><see cref="Format"/> written straight to <paramref name="w"/>: a million samples' text is never held whole
    /// (as a string it was ~50 MB, twice that while the builder grew).</summary>
    public static void Write(TextWriter w, ReadOnlySpan<float> x, int dim, ReadOnlySpan<int> labels, IReadOnlyList<string> classNames)
    {
        for (int k = 1; k <= dim; k++) { if (k > 1) w.Write(','); w.Write('x'); w.Write(k.ToString(CultureInfo.InvariantCulture)); }
        if (labels.Length > 0) w.Write(",label");
        w.Write('\n');
        var quotedNames = labels.Length > 0 && classNames.Count > 0 ? classNames.Select(Quoted).ToArray() : null;
        Span<char> number = stackalloc char[32];
        int n = x.Length / dim;
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < dim; k++)
            {
                if (k > 0) w.Write(',');
                if (!x[i * dim + k].TryFormat(number, out int written, "R", CultureInfo.InvariantCulture)) throw new InvalidOperationException("a float's text exceeds 32 characters");
                w.Write(number[..written]);
            }
            if (labels.Length > 0)
            {
                w.Write(',');
                w.Write(quotedNames is not null ? quotedNames[labels[i]] : Quoted(labels[i].ToString(CultureInfo.InvariantCulture)));
            }
            w.Write('\n');
        }
    }
}
