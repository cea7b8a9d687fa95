using DiffusionCore.Control;
using DiffusionCore.Data;
using DiffusionCore.Data.Imaging;
using DiffusionCore.Evaluation;
using DiffusionCore.Guidance;
using DiffusionCore.Samples.FashionMnist;
using DiffusionCore.Sampling;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.ControlStudy;

/// <summary>A named control vector [flip, 1 − s, t_x, t_y] (<see cref="ControlAugmentation"/>).</summary>
internal sealed record ControlSetting(string Name, bool Flip, double Scale, double CentreX, double CentreY);

/// <summary>Sampling and scoring shared by the sweep and the guidance grid: Heun, Karras σ, bfloat16 where the CPU has it.</summary>
internal static class StudySampling
{
    public const int Steps = 12;

    /// <summary>The controls swept at fixed seed and class, over the training range (crop side 0.6–1, flip).</summary>
    public static IReadOnlyList<ControlSetting> Settings { get; } =
    [
        new("neutral", false, 1, 0, 0),
        new("flip", true, 1, 0, 0),
        new("crop 0.6 centre", false, 0.6, 0, 0),
        new("crop 0.6 top-left", false, 0.6, -0.4, -0.4),
        new("crop 0.6 bottom-right + flip", true, 0.6, 0.4, 0.4),
    ];

    /// <summary>Class k % 10 for image k; image k's noise comes from seed 1,000,000 + k whatever the controls.</summary>
    public static int[] Classes(int count) => Enumerable.Range(0, count).Select(k => k % FashionMnistModel.Classes).ToArray();

    public static Tensor Generate(IDenoiser denoiser, int[] classes, ControlSetting setting)
    {
        using var scope = new TensorScope();
        int n = classes.Length;
        Tensor labels = Tensor.FromArray(classes.Select(c => (long)c).ToArray()).OneHot(FashionMnistModel.Classes).To(DType.Float32);
        Tensor controls = ControlAugmentation.Controls(
            Enumerable.Repeat(setting.Flip, n).ToArray(), Enumerable.Repeat(setting.Scale, n).ToArray(),
            Enumerable.Repeat(setting.CentreX, n).ToArray(), Enumerable.Repeat(setting.CentreY, n).ToArray());
        Conditioning c = Conditioning.FromClassLabels(labels).With(ConditioningKeys.ControlMetadata, controls);
        ulong[] seeds = Enumerable.Range(0, n).Select(k => 1_000_000UL + (ulong)k).ToArray();
        var sampler = new HeunSampler(new HeunOptions { Precision = ComputePrecision.Auto });
        BatchedSamplingResult r = sampler.Generate(denoiser, seeds, [1, FashionMnistModel.Resolution, FashionMnistModel.Resolution],
            SigmaSchedules.Karras(Steps), c, new SamplingBatchOptions { BatchSize = 100 });
        return r.Samples.Clamp(-1, 1).MoveToOuterScope();
    }

    /// <summary>Classifier-free guidance on the class only (controls as given), scale <paramref name="w"/>.</summary>
    public static IDenoiser ClassGuided(IDenoiser d, double w) => w == 1 ? d : new ClassifierFreeGuidance(d, w, Unconditional.ZeroClassLabels());

    /// <summary>Separate semantic and control scales (<see cref="ControlGuidance"/>).</summary>
    public static IDenoiser ControlGuided(IDenoiser d, double semantic, double control) =>
        new ControlGuidance(d, semantic, control, Unconditional.ZeroClassLabels());

    public static long[] Predict(FashionMnistEvaluator evaluator, Tensor images)
    {
        using var scope = new TensorScope();
        return evaluator.PredictClasses(images).ToArray<long>();
    }

    public static double Agreement(long[] predicted, int[] classes) => predicted.Where((p, i) => p == classes[i]).Count() / (double)classes.Length;

    /// <summary>Writes rows of images (each [cols, 1, H, W]) as one PNG, one row per tensor.</summary>
    public static void WriteFigure(IReadOnlyList<Tensor> rows, int cols, string path)
    {
        using var scope = new TensorScope();
        Tensor all = Tensor.Cat(rows.Select(r => r.Narrow(0, 0, cols)).ToArray());
        ImageGrid.WritePng(all, path, columns: cols);
    }
}
