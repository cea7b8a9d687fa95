using DiffusionCore.Analytic;
using DiffusionCore.Guidance;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Sampling.Tests;

/// <summary>
/// With one noise stream per image seed, image k is bit-identical whether generated alone or inside any batch
/// (the oracle denoiser is itself batch-invariant), and the same seeds give the same bits.
/// </summary>
public class BatchInvarianceTests
{
    private static readonly ulong[] Seeds = [101, 7, 55555, 3, 90210, 42];

    public static TheoryData<string> Samplers =>
    [
        "heun", "heun-churn", "heun-float64", "euler-churn", "generalized-vp", "ddim-eta", "ddpm", "dpm2m",
        "euler-ancestral", "dpm2m-sde", "dpm2m-sde-heun-float64", "dpm3m-sde", "unipc-3", "lms", "flow-heun-churn",
    ];

    private static (ISampler Sampler, double[] Sigmas) Create(string name) => name switch
    {
        "heun" => (new HeunSampler(), SigmaSchedules.Karras(12)),
        "heun-churn" => (new HeunSampler(new HeunOptions { Stochasticity = new StochasticityOptions { SChurn = 20, SMin = 0.05, SMax = 50, SNoise = 1.003 } }), SigmaSchedules.Karras(12)),
        "heun-float64" => (new HeunSampler(new HeunOptions { StateDType = DType.Float64, Stochasticity = new StochasticityOptions { SChurn = 5 } }), SigmaSchedules.Karras(12)),
        "euler-churn" => (new EulerSampler(new EulerOptions { Stochasticity = new StochasticityOptions { SChurn = 5 } }), SigmaSchedules.Karras(12)),
        "generalized-vp" => (new GeneralizedSampler(GeneralizedSamplerOptions.VpPreset() with { Stochasticity = new StochasticityOptions { SChurn = 5 } }), SigmaSchedules.Vp(12)),
        "ddim-eta" => (new DdimSampler(new DdimOptions { Eta = 0.5 }), DiscreteSchedule.Linear().StepSigmas(12)),
        "ddpm" => (new DdpmAncestralSampler(), DiscreteSchedule.Cosine().StepSigmas(12)),
        "dpm2m" => (new DpmSolverPlusPlus2MSampler(), SigmaSchedules.Karras(12)),
        "euler-ancestral" => (new EulerAncestralSampler(new EulerAncestralOptions { SNoise = 1.003 }), SigmaSchedules.Karras(12)),
        "dpm2m-sde" => (new DpmSolverPlusPlus2MSdeSampler(), SigmaSchedules.Exponential(12, 0.002, 80)),
        "dpm2m-sde-heun-float64" => (new DpmSolverPlusPlus2MSdeSampler(new DpmSolverPlusPlus2MSdeOptions { Eta = 0.5, SecondOrderTerm = DpmSolverSecondOrderTerm.Heun, StateDType = DType.Float64 }), SigmaSchedules.Karras(12)),
        "dpm3m-sde" => (new DpmSolverPlusPlus3MSdeSampler(), SigmaSchedules.FlowShift(12, shift: 3)),
        "unipc-3" => (new UniPcSampler(new UniPcOptions { Order = 3 }), SigmaSchedules.Karras(12)),
        "lms" => (new LmsSampler(), SigmaSchedules.Karras(12)),
        "flow-heun-churn" => (new GeneralizedSampler(GeneralizedSamplerOptions.RectifiedFlowPreset() with { Stochasticity = new StochasticityOptions { SChurn = 5 } }), SigmaSchedules.FlowShift(12)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static float[] Generate(string sampler, ulong[] seeds, IDenoiser? denoiser = null, Conditioning? conditioning = null)
    {
        (ISampler s, double[] sigmas) = Create(sampler);
        using var scope = new TensorScope();
        using GaussianMixture m = MixtureFixture.CreateMixture();
        using var noise = new PerSampleNoiseSource(seeds);
        Tensor x = Latents.Initial(noise, [seeds.Length, 2], sigmas);
        return s.Sample(denoiser ?? m, x, sigmas, conditioning, noise).Samples.ToArray<float>();
    }

    [Theory]
    [MemberData(nameof(Samplers))]
    public void Image_k_is_bit_identical_alone_and_in_any_batch(string sampler)
    {
        float[] batch = Generate(sampler, Seeds);
        for (int k = 0; k < Seeds.Length; k++)
        {
            Generate(sampler, [Seeds[k]]).Should().Equal(batch[(2 * k)..(2 * k + 2)], $"image {k} (seed {Seeds[k]}) generated alone");
        }

        float[] reversed = Generate(sampler, [.. Seeds.Reverse()]);
        for (int k = 0; k < Seeds.Length; k++)
        {
            reversed[(2 * (Seeds.Length - 1 - k))..(2 * (Seeds.Length - k))].Should().Equal(batch[(2 * k)..(2 * k + 2)]);
        }
    }

    [Theory]
    [MemberData(nameof(Samplers))]
    public void Same_seeds_give_the_same_bits_and_other_seeds_differ(string sampler)
    {
        Generate(sampler, Seeds).Should().Equal(Generate(sampler, Seeds));
        Generate(sampler, [1, 2, 3]).Should().NotEqual(Generate(sampler, [4, 5, 6]));
    }

    [Fact]
    public void Guided_class_conditional_images_are_batch_invariant()
    {
        using var scope = new TensorScope();
        using var mixture = new GuidedTwoClassMixture();
        ClassifierFreeGuidance cfg = mixture.Guided;
        long[] labels = [0, 1, 1, 0, 1, 0];
        float[] batch = Generate("heun-churn", Seeds, cfg, Conditioning.FromClassLabels(Tensor.FromArray(labels)));
        for (int k = 0; k < Seeds.Length; k++)
        {
            Generate("heun-churn", [Seeds[k]], cfg, Conditioning.FromClassLabels(Tensor.FromArray(new[] { labels[k] })))
                .Should().Equal(batch[(2 * k)..(2 * k + 2)]);
        }
    }
}
