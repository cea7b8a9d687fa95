using System.Globalization;
using DiffusionCore.Evaluation;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;

namespace DiffusionCore.ControlStudy;

/// <summary>
/// Study 1: at fixed seed and class, sweep the controls over their training range; per setting report FD-FMNIST, class
/// agreement and the class-change rate (the fraction of samples whose predicted class differs from the same seed and
/// class under neutral controls), and write a figure with one row per setting and the same seeds in every row.
/// </summary>
internal static class DisentanglementSweep
{
    public static void Run(ControlArm arm, string run, int count, double guidance, string outDirectory)
    {
        Torch.Torch.NumThreads = 1;
        using Edm2Denoiser net = StudyModel.Load(arm, run);
        using FashionMnistEvaluator evaluator = FashionMnistEvaluator.Create();
        IDenoiser denoiser = StudySampling.ClassGuided(net, guidance);
        int[] classes = StudySampling.Classes(count);
        using var scope = new TensorScope();
        var rows = new List<Tensor>();
        long[]? neutral = null;
        var lines = new List<string>();
        foreach (ControlSetting setting in StudySampling.Settings)
        {
            Tensor images = StudySampling.Generate(denoiser, classes, setting);
            rows.Add(images);
            long[] predicted = StudySampling.Predict(evaluator, images);
            neutral ??= predicted;
            double changed = predicted.Where((p, i) => p != neutral[i]).Count() / (double)count;
            double fd = evaluator.FrechetDistance([images]);
            string line = string.Create(CultureInfo.InvariantCulture,
                $"| {arm.ToString().ToLowerInvariant()} | {setting.Name} | {fd:F1} | {100 * StudySampling.Agreement(predicted, classes):F1} % | {100 * changed:F1} % |");
            Console.WriteLine(line);
            lines.Add(line);
        }

        Directory.CreateDirectory(outDirectory);
        string name = arm.ToString().ToLowerInvariant();
        File.WriteAllLines(Path.Combine(outDirectory, $"sweep-{name}.md"), lines);
        StudySampling.WriteFigure(rows, 10, Path.Combine(outDirectory, $"control-sweep-{name}.png"));
    }
}
