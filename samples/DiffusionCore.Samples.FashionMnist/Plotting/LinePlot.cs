using System.Globalization;

namespace DiffusionCore.Samples.FashionMnist.Plotting;

/// <summary>One curve of a <see cref="LinePlot"/>.</summary>
internal sealed record PlotSeries(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y, (byte R, byte G, byte B) Color);

/// <summary>
/// A small line-plot renderer (axes, ticks, labels, legend) producing an RGB raster, for the training-loss and
/// learning-rate curves the sample writes next to its samples.
/// </summary>
internal sealed class LinePlot
{
    private const int Margin = 70;

    public required string Title { get; init; }

    public required string XLabel { get; init; }

    public required string YLabel { get; init; }

    public bool LogY { get; init; }

    public RgbCanvas Render(IReadOnlyList<PlotSeries> series, int width = 900, int height = 480)
    {
        var canvas = new RgbCanvas(width, height);
        var black = ((byte)0, (byte)0, (byte)0);
        var grey = ((byte)215, (byte)215, (byte)215);
        var points = series.SelectMany(s => s.X.Zip(s.Y, (x, y) => (x, y: Transform(y)))).Where(p => double.IsFinite(p.y)).ToList();
        if (points.Count == 0)
        {
            BitmapFont.Draw(canvas, Title + ": NO DATA", Margin, Margin, 2, black);
            return canvas;
        }

        double x0 = points.Min(p => p.x), x1 = points.Max(p => p.x);
        double y0 = points.Min(p => p.y), y1 = points.Max(p => p.y);
        if (x1 <= x0) x1 = x0 + 1;
        if (y1 <= y0) { y0 -= 0.5; y1 += 0.5; }
        double pad = (y1 - y0) * 0.05;
        y0 -= pad;
        y1 += pad;
        int left = Margin + 20, right = width - 20, top = 40, bottom = height - Margin;
        int Px(double x) => left + (int)Math.Round((x - x0) / (x1 - x0) * (right - left));
        int Py(double y) => bottom - (int)Math.Round((y - y0) / (y1 - y0) * (bottom - top));

        for (int i = 0; i <= 5; i++)
        {
            double xv = x0 + ((x1 - x0) * i / 5), yv = y0 + ((y1 - y0) * i / 5);
            int px = Px(xv), py = Py(yv);
            canvas.Line(px, top, px, bottom, grey);
            canvas.Line(left, py, right, py, grey);
            string xt = Format(xv), yt = Format(LogY ? Math.Pow(10, yv) : yv);
            BitmapFont.Draw(canvas, xt, px - (BitmapFont.Measure(xt, 1) / 2), bottom + 6, 1, black);
            BitmapFont.Draw(canvas, yt, left - BitmapFont.Measure(yt, 1) - 4, py - 3, 1, black);
        }

        canvas.Line(left, bottom, right, bottom, black, 2);
        canvas.Line(left, top, left, bottom, black, 2);
        BitmapFont.Draw(canvas, Title, (width - BitmapFont.Measure(Title, 2)) / 2, 10, 2, black);
        BitmapFont.Draw(canvas, XLabel, (width - BitmapFont.Measure(XLabel, 1)) / 2, bottom + 24, 1, black);
        BitmapFont.Draw(canvas, YLabel + (LogY ? " (LOG)" : string.Empty), 6, top - 16, 1, black);

        int legendY = top + 6;
        foreach (PlotSeries s in series)
        {
            int? lastX = null, lastY = null;
            for (int i = 0; i < Math.Min(s.X.Count, s.Y.Count); i++)
            {
                double y = Transform(s.Y[i]);
                if (!double.IsFinite(y)) { lastX = null; continue; }
                int px = Px(s.X[i]), py = Py(y);
                if (lastX is int lx && lastY is int ly) canvas.Line(lx, ly, px, py, s.Color, 2);
                lastX = px;
                lastY = py;
            }

            canvas.FillRect(right - 160, legendY + 2, 14, 4, s.Color);
            BitmapFont.Draw(canvas, s.Label, right - 140, legendY, 1, black);
            legendY += 14;
        }

        return canvas;
    }

    private double Transform(double y) => LogY ? (y > 0 ? Math.Log10(y) : double.NaN) : y;

    private static string Format(double v)
    {
        double a = Math.Abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e6)) return v.ToString("0.0E+0", CultureInfo.InvariantCulture);
        if (a >= 1000) return (v / 1000).ToString("0.#", CultureInfo.InvariantCulture) + "K";
        return v.ToString(a < 1 ? "0.###" : "0.##", CultureInfo.InvariantCulture);
    }
}
