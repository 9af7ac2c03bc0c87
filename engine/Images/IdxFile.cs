using System.Buffers.Binary;
using System.IO.Compression;

namespace MemristorGrid.Engine.Images;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST (LeCun et al.): a big-endian magic 0x0000TTNN (type TT,
/// NN dimensions), NN big-endian 32-bit sizes, then the values. Only unsigned bytes (TT = 0x08) occur
/// in these data sets. Files may be gzip-compressed (recognised by content, not by name).
/// </summary>
public static class IdxFile
{
    public const int ImagesMagic = 0x00000803, LabelsMagic = 0x00000801;

    /// <summary>Reads an IDX file of unsigned bytes with <paramref name="expectedDims"/> dimensions.</summary>
    public static (int[] Dims, byte[] Values) Read(string path, int expectedDims)
    {
        byte[] bytes = ReadMaybeGzip(path);
        string kind = expectedDims == 3 ? "images" : "labels";
        int expectedMagic = 0x0800 | expectedDims;
        if (bytes.Length < 4)
            throw new UserInputException($"{path}: not an IDX {kind} file (only {bytes.Length} bytes; an IDX file starts with a 4-byte magic number)");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
            throw new UserInputException($"{path}: not an IDX {kind} file (magic number 0x{magic:X8}; expected 0x{expectedMagic:X8})");
        int header = 4 + 4 * expectedDims;
        if (bytes.Length < header)
            throw new UserInputException($"{path}: truncated IDX header ({bytes.Length} bytes; the header has {header})");
        var dims = new int[expectedDims];
        long count = 1;
        for (int i = 0; i < expectedDims; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] <= 0) throw new UserInputException($"{path}: IDX dimension {i + 1} is {dims[i]} (must be positive)");
            count *= dims[i];
        }
        if (bytes.Length - header < count)
            throw new UserInputException($"{path}: truncated: the header promises {string.Join(" × ", dims)} = {count} values, the file holds {bytes.Length - header}");
        if (bytes.Length - header > count)
            throw new UserInputException($"{path}: {bytes.Length - header - count} bytes after the {string.Join(" × ", dims)} values the header promises");
        return (dims, bytes[header..]);
    }

    private static byte[] ReadMaybeGzip(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"{path}: file not found");
        try
        {
            byte[] raw = File.ReadAllBytes(path);
            if (raw.Length < 2 || raw[0] != 0x1F || raw[1] != 0x8B) return raw;
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var result = new MemoryStream();
            gz.CopyTo(result);
            return result.ToArray();
        }
        catch (InvalidDataException e) { throw new UserInputException($"{path}: damaged gzip data ({e.Message})"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new UserInputException($"{path}: cannot read ({e.Message})"); }
    }

    /// <summary>An images file and its labels file, checked against each other; pixels scaled by 1/255.</summary>
    public static ImageSet ReadImages(string imagesPath, string labelsPath, IReadOnlyList<string>? classNames, string source)
    {
        var (dims, pixels) = Read(imagesPath, 3);
        var (labelDims, labelBytes) = Read(labelsPath, 1);
        if (labelDims[0] != dims[0])
            throw new UserInputException($"{labelsPath}: {labelDims[0]} labels for the {dims[0]} images of {imagesPath}");
        int maxLabel = labelBytes.Max();
        classNames ??= Enumerable.Range(0, maxLabel + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (maxLabel >= classNames.Count)
            throw new UserInputException($"{labelsPath}: label {maxLabel} is out of range (this data set has {classNames.Count} classes)");
        var values = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) values[i] = pixels[i] / 255f;
        return new ImageSet(dims[2], dims[1], values, Array.ConvertAll(labelBytes, b => (int)b), classNames, source);
    }
}
