using System.Reflection;
using MemristorGrid.Engine.IO;
using ScottPlot;

namespace MemristorGrid.Client.Output;

/// <summary>The font every plot uses. It ships with the tool because machines without system fonts
/// would otherwise render plots with no text at all.</summary>
internal static class PlotFont
{
    public const string Name = "DejaVu Sans";
    private static readonly Lazy<bool> Registered = new(Register);

    public static void Ensure() => _ = Registered.Value;

    /// <summary>The font file on disk (for drawing with SkiaSharp directly).</summary>
    public static string FilePath { get; private set; } = "";

    private static bool Register()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("DejaVuSans.ttf")
            ?? throw new InvalidOperationException("bundled font missing");
        string path = Path.Combine(Path.GetTempPath(), $"memgrid-DejaVuSans-{stream.Length}.ttf");
        if (!File.Exists(path) || new FileInfo(path).Length != stream.Length)
            AtomicFile.Write(path, s => stream.CopyTo(s));
        FilePath = path;
        Fonts.AddFontFile(Name, path, bold: false, italic: false);
        Fonts.AddFontFile(Name, path, bold: true, italic: false);
        Fonts.Default = Name;
        return true;
    }
}
