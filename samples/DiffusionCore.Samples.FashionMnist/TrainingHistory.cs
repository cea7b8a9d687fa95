using System.Globalization;
using DiffusionCore.Training;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// The loss and learning rate over images seen, appended to <c>{run}/history.csv</c> as training reports progress, so
/// curves span every resumed session of a run.
/// </summary>
internal sealed class TrainingHistory
{
    private readonly string _path;

    public TrainingHistory(string runDirectory)
    {
        _path = Path.Combine(runDirectory, "history.csv");
        if (File.Exists(_path))
        {
            foreach (string line in File.ReadLines(_path).Skip(1))
            {
                string[] f = line.Split(',');
                if (f.Length >= 3 && long.TryParse(f[0], CultureInfo.InvariantCulture, out long n)
                    && double.TryParse(f[1], CultureInfo.InvariantCulture, out double loss)
                    && double.TryParse(f[2], CultureInfo.InvariantCulture, out double lr))
                {
                    Points.Add((n, loss, lr));
                }
            }
        }
    }

    public List<(long Images, double Loss, double LearningRate)> Points { get; } = [];

    public void Add(TrainingProgress p)
    {
        // A resumed run may repeat images-seen values after an interrupted session: keep the history monotone.
        Points.RemoveAll(q => q.Images >= p.ImagesSeen);
        Points.Add((p.ImagesSeen, p.Loss, p.LearningRate));
    }

    public void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        string tmp = _path + ".tmp";
        File.WriteAllLines(tmp, Points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Images},{p.Loss:R},{p.LearningRate:R}")).Prepend("images_seen,loss,learning_rate"));
        File.Move(tmp, _path, overwrite: true);
    }

    /// <summary>Mean loss of the last <paramref name="count"/> reports.</summary>
    public double RecentLoss(int count = 20) => Points.Count == 0 ? double.NaN : Points.TakeLast(count).Average(p => p.Loss);
}
