using DiffusionCore.Guidance;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Sampling;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.Edm2;

/// <summary>
/// Batched sampling with the main job's EDM2 network and classifier-free guidance: the images of a planned batch size
/// and of small fixed batches equal the single-batch images of the same seeds, in float32 and with bfloat16 products.
/// On this project's CPU host they are bit-identical; the tolerance leaves room for a BLAS or oneDNN kernel that
/// blocks differently by batch size elsewhere.
/// </summary>
public class Edm2BatchedSamplingTests
{
    private static readonly Edm2UNetOptions MainJobNet = new()
    {
        ImgResolution = 32, ImgChannels = 1, LabelDim = 10, ModelChannels = 32, ChannelMult = [1, 2, 2], NumBlocks = 1,
        AttentionResolutions = [8], Dropout = 0,
    };

    [Theory]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    [InlineData(ComputePrecision.Float32)]
    [InlineData(ComputePrecision.BFloat16)]
    public void Images_do_not_depend_on_the_batch_size(ComputePrecision precision)
    {
        using var g = new Generator(3);
        using var net = new Edm2Denoiser(MainJobNet, g);
        net.Eval();
        var guided = new ClassifierFreeGuidance(net, 2.0, Unconditional.ZeroClassLabels());
        ulong[] seeds = Enumerable.Range(0, 10).Select(i => (ulong)(1000 + (i * 37))).ToArray();
        double[] sigmas = SigmaSchedules.Karras(4);
        var sampler = new HeunSampler(new HeunOptions { Precision = precision });

        using var scope = new TensorScope();
        Tensor labels = Tensor.FromArray(seeds.Select((_, i) => (long)(i % 10)).ToArray()).OneHot(10).To(DType.Float32);
        var cond = Conditioning.FromClassLabels(labels);
        float[] single;
        using (var noise = new PerSampleNoiseSource(seeds))
        {
            Tensor x = Latents.Initial(noise, [seeds.Length, 1, 32, 32], sigmas);
            single = sampler.Sample(guided, x, sigmas, cond, noise).Samples.ToArray<float>();
        }

        foreach (SamplingBatchOptions batching in new[] { new SamplingBatchOptions(), new SamplingBatchOptions { BatchSize = 3 }, new SamplingBatchOptions { BatchSize = 1 } })
        {
            BatchedSamplingResult r = sampler.Generate(guided, seeds, [1, 32, 32], sigmas, cond, batching);
            r.FunctionEvaluations.Should().Be(7);
            float[] batched = r.Samples.ToArray<float>();
            batched.Length.Should().Be(single.Length);
            double maxDiff = batched.Zip(single, (a, b) => Math.Abs(a - b)).Max();
            maxDiff.Should().BeLessThanOrEqualTo(1e-5, $"batch {r.Plan.BatchSize} ({r.Plan.Reason})");
        }
    }
}
