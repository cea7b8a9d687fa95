using System.Diagnostics;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;
using DiffusionCore.Data;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Tests.Support;
using Xunit.Abstractions;

namespace DiffusionCore.Training.Tests;

/// <summary>End to end: a small EDM2 UNet trained on Fashion-MNIST (padded to 32²) lowers its held-out denoising loss.</summary>
public sealed class FashionMnistTrainingTests(ITestOutputHelper output)
{
    private static readonly double[] Sigmas = [0.1, 0.3, 1.0, 3.0];

    /// <summary>Mean over test images of the EDM-weighted denoising loss per element, at fixed σ and fixed noise.</summary>
    private static double HeldOutLoss(Edm2Denoiser net, FashionMnistDataset test)
    {
        using var scope = new TensorScope();
        using var noGrad = new NoGradScope();
        bool training = net.IsTraining;
        net.Eval();
        int[] indices = Enumerable.Range(0, test.Count).ToArray();
        ImageBatch batch = test.ReadBatch(indices);
        using var g = new Generator(4242);
        Tensor sigma = Tensor.FromArray(indices.Select(i => (float)Sigmas[i % Sigmas.Length]).ToArray());
        var draw = new NoiseDraw(sigma, Tensor.Randn(batch.Images.Shape, g));
        var loss = new EdmLoss(net, sigmaData: 0.5);
        double value = loss.Compute(batch.Images, draw, Conditioning.FromClassLabels(batch.Labels!)).Mean().ToDouble() / (32 * 32);
        net.Train(training);
        return value;
    }

    [SkippableFact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    [Trait(TestCategory.Name, TestCategory.Dataset)]
    public void Small_edm2_unet_learns_to_denoise_fashion_mnist()
    {
        FashionMnistData.SkipIfMissing();
        using var scope = new TensorScope();
        using var dir = new TempDirectory();
        FashionMnistDataset train = FashionMnistDataset.Load(new FashionMnistOptions { Resolution = 32, MaxCount = 8192 });
        FashionMnistDataset test = FashionMnistDataset.Load(new FashionMnistOptions { Resolution = 32, Split = FashionMnistSplit.Test, MaxCount = 256 });
        using var init = new Generator(1);
        using var net = new Edm2Denoiser(
            new Edm2UNetOptions
            {
                ImgResolution = 32, ImgChannels = 1, LabelDim = 10, ModelChannels = 16, ChannelMult = [1, 2],
                NumBlocks = 1, AttentionResolutions = [], ChannelsPerHead = 16, LogVarianceChannels = 32,
            },
            init);
        double before = HeldOutLoss(net, test);

        var options = new TrainingOptions
        {
            RunDirectory = dir.Path,
            Seed = 3,
            TotalImages = 32 * 160,
            BatchSize = 32,
            LearningRate = 0.01,
            LearningRateSchedule = LearningRateScheduleKind.InverseSqrt,
            ReferenceBatches = 100,
            RampUpImages = 32 * 10,
            LogIntervalImages = 32 * 40,
        };
        using var trainer = new DiffusionTrainer(net, new Edm2Loss(net, pMean: -0.8, pStd: 1.6), train, options);
        var clock = Stopwatch.StartNew();
        TrainingResult result = trainer.Run();
        clock.Stop();
        double after = HeldOutLoss(net, test);
        output.WriteLine($"held-out loss per element: {before:F4} at init → {after:F4} after {result.ImagesSeen} images ({clock.Elapsed.TotalSeconds:F1} s)");

        result.Completed.Should().BeTrue();
        after.Should().BeLessThan(0.6 * before, "training must clearly lower the held-out denoising loss");
    }
}
