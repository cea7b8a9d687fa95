using DiffusionCore.Analytic;
using DiffusionCore.Guidance;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Sampling.Tests;

/// <summary>
/// <see cref="BatchedSampling.Generate"/>: image k is the image its seed gives in a single-batch run, whatever batch
/// size was fixed or planned, with and without conditioning; bad requests are refused with a clear message.
/// </summary>
public class BatchedSamplingTests
{
    private static readonly ulong[] Seeds = [11, 5, 907, 3, 42, 1000, 77, 8, 123456, 9, 31];

    private static float[] SingleBatch(ISampler sampler, IDenoiser denoiser, ulong[] seeds, double[] sigmas, Conditioning? conditioning = null)
    {
        using var scope = new TensorScope();
        using var noise = new PerSampleNoiseSource(seeds);
        Tensor x = Latents.Initial(noise, [seeds.Length, 2], sigmas);
        return sampler.Sample(denoiser, x, sigmas, conditioning, noise).Samples.ToArray<float>();
    }

    private static float[] Batched(ISampler sampler, IDenoiser denoiser, ulong[] seeds, double[] sigmas, SamplingBatchOptions? batching, Conditioning? conditioning = null) =>
        Batched(sampler, denoiser, seeds, sigmas, batching, conditioning, out _);

    private static float[] Batched(ISampler sampler, IDenoiser denoiser, ulong[] seeds, double[] sigmas, SamplingBatchOptions? batching, Conditioning? conditioning, out SamplingBatchPlan plan)
    {
        using var scope = new TensorScope();
        BatchedSamplingResult r = sampler.Generate(denoiser, seeds, [2], sigmas, conditioning, batching);
        plan = r.Plan;
        r.Samples.Shape.Should().Equal(seeds.Length, 2);
        return r.Samples.ToArray<float>();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(11)]
    [InlineData(64)]
    public void Fixed_batches_give_the_single_batch_images(int batch)
    {
        var sampler = new HeunSampler(new HeunOptions { Stochasticity = new StochasticityOptions { SChurn = 10 } });
        double[] sigmas = SigmaSchedules.Karras(8);
        using GaussianMixture m = MixtureFixture.CreateMixture();
        float[] expected = SingleBatch(sampler, m, Seeds, sigmas);
        Batched(sampler, m, Seeds, sigmas, new SamplingBatchOptions { BatchSize = batch }, null, out SamplingBatchPlan plan).Should().Equal(expected);
        plan.BatchSize.Should().Be(Math.Min(batch, Seeds.Length));
        plan.Probes.Should().BeEmpty();
    }

    [Fact]
    public void A_planned_batch_gives_the_single_batch_images_and_reports_its_probes()
    {
        var sampler = new EulerSampler();
        double[] sigmas = SigmaSchedules.Karras(6);
        using GaussianMixture m = MixtureFixture.CreateMixture();
        float[] expected = SingleBatch(sampler, m, Seeds, sigmas);
        Batched(sampler, m, Seeds, sigmas, null, null, out SamplingBatchPlan plan).Should().Equal(expected);
        // 11 images × 6 calls: the 5 % allowance affords only the size-1 probe, whose call is far shorter than
        // DecisiveCallSeconds, so the tiny job runs in one batch (issue 18) instead of batches of 1.
        plan.BatchSize.Should().Be(Seeds.Length, plan.Reason);
        plan.Probes.Select(p => p.BatchSize).Should().Equal(1);
        plan.Reason.Should().Contain("per-image time still falling at batch 1").And.Contain("probing allowance");
    }

    [Fact]
    public void Guided_conditional_images_are_sliced_with_their_labels()
    {
        using var scope = new TensorScope();
        using var mixture = new GuidedTwoClassMixture();
        ClassifierFreeGuidance cfg = mixture.Guided;
        long[] labels = Seeds.Select((_, i) => (long)(i % 3 == 0 ? 1 : 0)).ToArray();
        var cond = Conditioning.FromClassLabels(Tensor.FromArray(labels));
        var sampler = new HeunSampler();
        double[] sigmas = SigmaSchedules.Karras(8);
        float[] expected = SingleBatch(sampler, cfg, Seeds, sigmas, cond);
        Batched(sampler, cfg, Seeds, sigmas, new SamplingBatchOptions { BatchSize = 3 }, cond).Should().Equal(expected);
        Batched(sampler, cfg, Seeds, sigmas, null, cond).Should().Equal(expected);
    }

    [Fact]
    public void Progress_reports_every_batch()
    {
        using GaussianMixture m = MixtureFixture.CreateMixture();
        var reports = new List<BatchedSamplingProgress>();
        using var scope = new TensorScope();
        new EulerSampler().Generate(m, Seeds, [2], SigmaSchedules.Karras(3), batching: new SamplingBatchOptions { BatchSize = 4 }, progress: new SynchronousProgress<BatchedSamplingProgress>(reports.Add));
        reports.Should().Equal(new BatchedSamplingProgress(4, 11, 4), new BatchedSamplingProgress(8, 11, 4), new BatchedSamplingProgress(11, 11, 4));
    }

    [Fact]
    public void Bad_requests_are_refused_with_the_reason()
    {
        using GaussianMixture m = MixtureFixture.CreateMixture();
        using var scope = new TensorScope();
        var sampler = new EulerSampler();
        double[] sigmas = SigmaSchedules.Karras(3);
        FluentActions.Invoking(() => sampler.Generate(m, [], [2], sigmas)).Should().Throw<ArgumentException>().WithMessage("*at least one seed*");
        FluentActions.Invoking(() => sampler.Generate(m, Seeds, [2], [80.0])).Should().Throw<ArgumentException>().WithMessage("*at least two noise levels*");
        FluentActions.Invoking(() => sampler.Generate(m, Seeds, [2], sigmas, Conditioning.FromClassLabels(Tensor.Zeros([3], DType.Int64))))
            .Should().Throw<ArgumentException>().WithMessage("*class_labels*");
        FluentActions.Invoking(() => sampler.Generate(m, Seeds, [], sigmas)).Should().Throw<ArgumentException>().WithMessage("*imageShape*");
        FluentActions.Invoking(() => sampler.Generate(m, Seeds, [2], sigmas, batching: new SamplingBatchOptions { BatchSize = 0 }))
            .Should().Throw<ArgumentException>().WithMessage("*BatchSize*");
    }

    [Theory]
    [InlineData(0, 0.5, 1L << 30)]
    [InlineData(4096, 0.0, 1L << 30)]
    [InlineData(4096, 1.5, 1L << 30)]
    [InlineData(4096, 0.5, 0L)]
    [InlineData(4096, 0.5, -5L)]
    public void Invalid_batch_options_are_refused(int max, double fraction, long budget)
    {
        var o = new SamplingBatchOptions { MaxBatchSize = max, MemoryFraction = fraction, MemoryBudgetBytes = budget == 1L << 30 ? null : budget };
        o.Invoking(x => x.Validate()).Should().Throw<ArgumentException>();
    }
}
