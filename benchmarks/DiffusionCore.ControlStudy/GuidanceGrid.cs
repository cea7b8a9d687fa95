using System.Globalization;
using DiffusionCore.Evaluation;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;

namespace DiffusionCore.ControlStudy;

/// <summary>
/// Study 3: a grid of (semantic, control) guidance scales on the gated arm, with every sample asking for the controls
/// "crop 0.6 centre + flip"; per cell FD-FMNIST and class agreement, plus the mean absolute pixel difference from the
/// same seeds sampled with neutral controls (how strongly the controls act).
/// </summary>
internal static class GuidanceGrid
{
    public static void Run(string run, int count, double[] semanticScales, double[] controlScales, string outDirectory)
    {
        Torch.Torch.NumThreads = 1;
        using Edm2Denoiser net = StudyModel.Load(ControlArm.Gated, run);
        using FashionMnistEvaluator evaluator = FashionMnistEvaluator.Create();
        int[] classes = StudySampling.Classes(count);
        var asked = new ControlSetting("crop 0.6 centre + flip", true, 0.6, 0, 0);
        var lines = new List<string>();
        foreach (double ws in semanticScales)
        {
            using var scope = new TensorScope();
            Tensor reference = StudySampling.Generate(StudySampling.ClassGuided(net, ws), classes, StudySampling.Settings[0]);
            foreach (double wc in controlScales)
            {
                using var cell = new TensorScope();
                Tensor images = StudySampling.Generate(StudySampling.ControlGuided(net, ws, wc), classes, asked);
                long[] predicted = StudySampling.Predict(evaluator, images);
                double fd = evaluator.FrechetDistance([images]);
                double moved = images.Sub(reference).Abs().Mean().ToDouble();
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"| {ws:0.#} | {wc:0.#} | {fd:F1} | {100 * StudySampling.Agreement(predicted, classes):F1} % | {moved:F3} |");
                Console.WriteLine(line);
                lines.Add(line);
            }
        }

        Directory.CreateDirectory(outDirectory);
        File.WriteAllLines(Path.Combine(outDirectory, "guidance-grid.md"), lines);
    }
}
