using ScottPlot;

namespace MemristorGrid.Client.Output;

/// <summary>The training loss per epoch (PNG, headless), written next to a trained model.</summary>
public static class LossPlot
{
    /// <summary><c>models/ring.onnx</c> → <c>models/ring.loss.png</c>.</summary>
    public static string PathFor(string modelPath) => Path.ChangeExtension(modelPath, null) + ".loss.png";

    public static byte[] Render(string title, IReadOnlyList<double> meanLossPerEpoch)
    {
        PlotFont.Ensure();
        var plot = new Plot();
        plot.Font.Set(PlotFont.Name);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("mean denoising score-matching loss");
        var xs = Enumerable.Range(1, meanLossPerEpoch.Count).Select(i => (double)i).ToArray();
        var line = plot.Add.ScatterLine(xs, meanLossPerEpoch.ToArray());
        line.MarkerSize = meanLossPerEpoch.Count <= 50 ? 4 : 0;
        return plot.GetImageBytes(900, 500, ImageFormat.Png);
    }
}
