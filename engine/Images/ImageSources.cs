using System.Globalization;
using System.IO.Compression;

namespace MemristorGrid.Engine.Images;

/// <summary>Which part of a data set: the images a model learns from, or the ones kept aside for metrics.</summary>
public enum ImageSplit { Train, Test }

/// <summary>
/// The image data sets a VAE is trained on, named as on the command line:
/// <c>digits</c> (UCI optical handwritten digits, 8 × 8, shipped inside the engine),
/// <c>fashion-mnist</c> (28 × 28, Debian package <c>dataset-fashion-mnist</c>), or a path to a
/// directory of MNIST-style IDX files (<c>train-images-idx3-ubyte[.gz]</c>, <c>train-labels-idx1-ubyte[.gz]</c>,
/// <c>t10k-…</c>).
/// </summary>
public static class ImageSources
{
    public const string Digits = "digits", FashionMnist = "fashion-mnist";
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Fashion-MNIST's classes (Xiao, Rasul &amp; Vollgraf 2017), in label order.</summary>
    public static readonly IReadOnlyList<string> FashionClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static ImageSet Load(string spec, ImageSplit split)
    {
        spec = spec.Trim();
        if (spec.Equals(Digits, StringComparison.OrdinalIgnoreCase)) return LoadDigits(split);
        if (spec.Equals(FashionMnist, StringComparison.OrdinalIgnoreCase))
        {
            if (!Directory.Exists(FashionMnistDirectory))
                throw new UserInputException($"Fashion-MNIST is not installed: {FashionMnistDirectory} does not exist (install it with `apt-get install dataset-fashion-mnist`, or give --data a directory of its IDX files)");
            return LoadIdxDirectory(FashionMnistDirectory, split, FashionClassNames, FashionMnist);
        }
        if (Directory.Exists(spec))
        {
            bool fashion = Path.GetFullPath(spec).TrimEnd('/').Equals(FashionMnistDirectory, StringComparison.Ordinal);
            return LoadIdxDirectory(spec, split, fashion ? FashionClassNames : null, Path.GetFullPath(spec));
        }
        if (File.Exists(spec))
            throw new UserInputException($"{spec}: give a directory of IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-…), not one file");
        throw new UserInputException($"unknown image data '{spec}' (expected {Digits}, {FashionMnist} or a directory of IDX files)");
    }

    private static ImageSet LoadIdxDirectory(string directory, ImageSplit split, IReadOnlyList<string>? names, string source)
    {
        string prefix = split == ImageSplit.Train ? "train" : "t10k";
        string Find(string stem)
        {
            foreach (var candidate in new[] { stem, stem + ".gz" })
            {
                string path = Path.Combine(directory, candidate);
                if (File.Exists(path)) return path;
            }
            throw new UserInputException($"{directory}: no {stem} or {stem}.gz (an IDX data directory holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte)");
        }
        return IdxFile.ReadImages(Find($"{prefix}-images-idx3-ubyte"), Find($"{prefix}-labels-idx1-ubyte"), names, source);
    }

    /// <summary>
    /// The UCI digits (1 797 images, pixel counts 0…16 scaled by 1/16). The set has no official split:
    /// every fifth image (index ≡ 0 mod 5) is the test split, the rest the training split.
    /// </summary>
    public static ImageSet LoadDigits(ImageSplit split)
    {
        using var stream = typeof(ImageSources).Assembly.GetManifestResourceStream("datasets.digits.csv.gz")
            ?? throw new InvalidOperationException("the digits data set is missing from the engine assembly");
        using var gz = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        var pixels = new List<float>();
        var labels = new List<int>();
        int index = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine(), index++)
        {
            if (line.Length == 0) continue;
            bool test = index % 5 == 0;
            if (test != (split == ImageSplit.Test)) continue;
            var fields = line.Split(',');
            if (fields.Length != 65) throw new InvalidOperationException($"digits line {index + 1} has {fields.Length} fields");
            for (int j = 0; j < 64; j++) pixels.Add(float.Parse(fields[j], CultureInfo.InvariantCulture) / 16f);
            labels.Add((int)float.Parse(fields[64], CultureInfo.InvariantCulture));
        }
        var names = Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        return new ImageSet(8, 8, pixels.ToArray(), labels.ToArray(), names, Digits);
    }
}
