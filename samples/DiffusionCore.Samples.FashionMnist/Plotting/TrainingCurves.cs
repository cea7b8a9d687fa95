using ScottPlot;

namespace DiffusionCore.Samples.FashionMnist.Plotting;

/// <summary>
/// The job's curves.png (ScottPlot): the training loss and the learning rate against images seen, one panel each,
/// over a shared images axis. Each axis is logarithmic when its values allow (all positive, spanning a factor of ten or
/// more; <see cref="LogScale.Suits"/>) and linear otherwise, and says which in its label: images seen and the learning
/// rate (inverse-square-root schedule after a linear ramp-up, docs/training.md, Learning rate) normally are; the EDM2
/// loss with learned uncertainty (Karras et al. 2024, Eq. 21) is a sum over pixels that turns negative as the
/// uncertainty falls, and then is not. Each report's loss (one batch) is drawn faint, with the mean of the last
/// <see cref="MeanWindow"/> reports over it; learning rates of zero (the first report) are left out.
/// </summary>
internal static class TrainingCurves
{
    /// <summary>Reports averaged in the bold loss curve (as the summary's final loss, TrainingHistory.RecentLoss).</summary>
    public const int MeanWindow = 20;

    // Left, right, bottom and top margins around each panel's data area, in pixels (room for the labels).
    private static readonly PixelPadding DataAreaPadding = new(left: 90, right: 20, bottom: 55, top: 40);

    /// <summary>Writes the figure to <paramref name="path"/> as a PNG of <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    public static void Save(IReadOnlyList<(long Images, double Loss, double LearningRate)> points, string path, string objective = "EDM2", int width = 900, int height = 960)
    {
        ArgumentNullException.ThrowIfNull(points);
        double[] images = points.Select(p => (double)p.Images).ToArray();
        double[] loss = points.Select(p => p.Loss).ToArray();
        double[] mean = TrailingMean(loss, MeanWindow);
        double[] lr = points.Where(p => p.LearningRate > 0).Select(p => p.LearningRate).ToArray();
        double[] lrImages = points.Where(p => p.LearningRate > 0).Select(p => (double)p.Images).ToArray();

        var figure = new Multiplot();
        figure.AddPlots(2);
        Plot lossPlot = figure.GetPlot(0), lrPlot = figure.GetPlot(1);
        lossPlot.Title(points.Count == 0 ? $"Training loss ({objective}): no reports yet" : $"Training loss ({objective})");
        lrPlot.Title("Learning rate");

        bool logImages = LogScale.Suits(images);
        bool logLoss = LogScale.Suits(loss);
        bool logLr = LogScale.Suits(lr);
        var each = lossPlot.Add.ScatterLine(Axis(images, logImages), Axis(loss, logLoss), Colors.SteelBlue.WithOpacity(0.35));
        each.LegendText = "each report (one batch)";
        var smooth = lossPlot.Add.ScatterLine(Axis(images, logImages), Axis(mean, logLoss), Colors.Navy);
        smooth.LineWidth = 2;
        smooth.LegendText = $"mean of the last {MeanWindow} reports";
        lossPlot.Legend.Alignment = Alignment.LowerLeft;
        Label(lossPlot.Axes.Left, "loss", loss, logLoss);

        var lrLine = lrPlot.Add.ScatterLine(Axis(lrImages, logImages), Axis(lr, logLr), Colors.OrangeRed);
        lrLine.LineWidth = 2;
        Label(lrPlot.Axes.Left, "learning rate", lr, logLr);

        foreach (Plot plot in new[] { lossPlot, lrPlot })
        {
            plot.Font.Set("DejaVu Sans"); // Debian's fonts-dejavu-core (eng/ensure-deps.sh); elsewhere Skia's default font
            Label(plot.Axes.Bottom, "images seen", images, logImages);
            plot.Grid.MinorLineColor = Colors.Black.WithOpacity(0.05);
            plot.Grid.MinorLineWidth = 1;
            plot.Layout.Fixed(DataAreaPadding); // the same data area in both panels, so their images axes line up
            if (images.Length > 0)
            {
                double[] x = Axis(images, logImages);
                double pad = Math.Max(0.02 * (x[^1] - x[0]), logImages ? 0.05 : 1);
                plot.Axes.SetLimitsX(x[0] - pad, x[^1] + pad);
            }
        }

        figure.SavePng(path, width, height);
    }

    private static double[] Axis(double[] values, bool log) => log ? LogScale.Of(values) : values;

    private static void Label(IAxis axis, string name, double[] values, bool log)
    {
        axis.Label.Text = log ? $"{name} (log scale)" : name;
        if (log) LogScale.Apply(axis, values.Min(), values.Max());
    }

    /// <summary>Entry i: the mean of values[max(0, i − window + 1) … i].</summary>
    private static double[] TrailingMean(double[] values, int window)
    {
        var mean = new double[values.Length];
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            mean[i] = sum / Math.Min(i + 1, window);
        }

        return mean;
    }
}
