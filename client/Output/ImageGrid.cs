using MemristorGrid.Engine.Runs;
using SkiaSharp;

namespace MemristorGrid.Client.Output;

/// <summary>
/// Decoded images as a grid: one row per class (its name on the left), pixel value 1 drawn white on
/// black as MNIST-style data are usually shown, each pixel enlarged to a block so 8 × 8 digits stay legible.
/// </summary>
public static class ImageGrid
{
    public static byte[] Render(string title, ReadOnlySpan<float> images, int width, int height, ReadOnlySpan<int> labels,
        IReadOnlyList<string> classNames, int perRow = ImageDecoding.ShownPerClass)
    {
        PlotFont.Ensure();
        int px = width * height, count = images.Length / px;
        // Rows: each generated class in label order; unlabelled images fill up to five rows.
        var rows = new List<(string Name, List<int> Images)>();
        if (labels.Length == 0)
        {
            for (int r = 0; r < Math.Min(ImageDecoding.ShownUnlabelled / perRow, (count + perRow - 1) / perRow); r++)
                rows.Add(("", Enumerable.Range(r * perRow, Math.Min(perRow, count - r * perRow)).ToList()));
        }
        else
        {
            var byClass = new SortedDictionary<int, List<int>>();
            for (int i = 0; i < count; i++)
            {
                if (!byClass.TryGetValue(labels[i], out var list)) byClass[labels[i]] = list = [];
                if (list.Count < perRow) list.Add(i);
            }
            foreach (var (label, list) in byClass) rows.Add((label < classNames.Count ? classNames[label] : label.ToString(), list));
        }

        int scale = Math.Max(2, 48 / Math.Max(width, height));
        int cellW = width * scale, cellH = height * scale, gap = 4;
        using var typeface = SKTypeface.FromFile(PlotFont.FilePath);
        using var font = new SKFont(typeface, 15);
        using var titleFont = new SKFont(typeface, 17);
        float labelWidth = rows.Count == 0 ? 0 : rows.Max(r => font.MeasureText(r.Name)) + 16;
        int left = (int)Math.Ceiling(labelWidth) + 8, top = 40;
        int canvasW = Math.Max(left + perRow * (cellW + gap) + 8, (int)titleFont.MeasureText(title) + 20);
        int canvasH = top + Math.Max(rows.Count, 1) * (cellH + gap) + 8;

        using var bitmap = new SKBitmap(canvasW, canvasH);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(title, 10, 26, titleFont, ink);
        using var pixel = new SKPaint { IsAntialias = false };
        for (int r = 0; r < rows.Count; r++)
        {
            int y0 = top + r * (cellH + gap);
            canvas.DrawText(rows[r].Name, left - 8 - font.MeasureText(rows[r].Name), y0 + cellH / 2f + 5, font, ink);
            for (int c = 0; c < rows[r].Images.Count; c++)
            {
                int x0 = left + c * (cellW + gap);
                var image = images.Slice(rows[r].Images[c] * px, px);
                for (int yy = 0; yy < height; yy++)
                    for (int xx = 0; xx < width; xx++)
                    {
                        byte v = (byte)Math.Clamp(MathF.Round(image[yy * width + xx] * 255f), 0, 255);
                        pixel.Color = new SKColor(v, v, v);
                        canvas.DrawRect(x0 + xx * scale, y0 + yy * scale, scale, scale, pixel);
                    }
            }
        }
        using var data = SKImage.FromBitmap(bitmap).Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
