using DiffusionCore.Analytic;
using DiffusionCore.Guidance;

namespace DiffusionCore.Sampling.Tests;

/// <summary>
/// The guided oracle of the batch tests: a class-conditional Gaussian mixture in 2-D (class 0: two components,
/// class 1: one) under classifier-free guidance w = 2 with the null class as the unconditional label.
/// </summary>
internal sealed class GuidedTwoClassMixture : IDisposable
{
    private readonly GaussianMixture _classZero = GaussianMixture.Isotropic([1, 1], [[-1, 0], [-1, 1]], [0.3, 0.3]);
    private readonly GaussianMixture _classOne = GaussianMixture.Isotropic([1], [[1, 0.5]], [0.4]);
    private readonly ClassConditionalGaussianMixture _mixture;

    public GuidedTwoClassMixture()
    {
        _mixture = new ClassConditionalGaussianMixture([_classZero, _classOne]);
        Guided = new ClassifierFreeGuidance(_mixture, 2.0, Unconditional.NullClassLabel(_mixture.NullClass));
    }

    /// <summary>The guided denoiser; conditioning is class labels 0 or 1.</summary>
    public ClassifierFreeGuidance Guided { get; }

    public void Dispose()
    {
        _mixture.Dispose();
        _classOne.Dispose();
        _classZero.Dispose();
    }
}
