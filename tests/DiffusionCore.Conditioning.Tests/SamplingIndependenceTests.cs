using DiffusionCore.Sampling;

namespace DiffusionCore.Guidance.Tests;

/// <summary>Guided denoisers are plain <see cref="IDenoiser"/>s to a sampler: neither side references the other.</summary>
public class SamplingIndependenceTests
{
    [Fact]
    public void Sampling_references_neither_conditioning_nor_training_and_conditioning_not_sampling()
    {
        string[] sampling = [.. typeof(HeunSampler).Assembly.GetReferencedAssemblies().Select(a => a.Name!)];
        sampling.Should().NotContain(["DiffusionCore.Conditioning", "DiffusionCore.Training", "DiffusionCore.Networks"]);
        typeof(ClassifierFreeGuidance).Assembly.GetReferencedAssemblies().Select(a => a.Name).Should().NotContain("DiffusionCore.Sampling");
    }
}
