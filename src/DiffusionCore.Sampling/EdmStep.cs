using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>
/// One step of the EDM sampler (Karras et al. 2022, Algorithm 2) on <c>dx/dσ = (x − D(x; σ))/σ</c>: churn (lines 4–6),
/// an Euler step from σ̂ to σ_{i+1} (lines 7–8) and, for Heun, the second-order correction unless σ_{i+1} = 0
/// (lines 9–11). Shared by <see cref="EulerSampler"/> and <see cref="HeunSampler"/>.
/// </summary>
internal static class EdmStep
{
    public static Tensor Apply(SamplerRun run, StochasticityOptions churn, int i, Tensor xCur, bool secondOrder)
    {
        double sigmaNext = run.Sigmas[i + 1];
        (double sigmaHat, Tensor xHat) = ChurnStep.Apply(run, churn, xCur, run.Sigmas[i]);
        Tensor denoised = run.Denoise(xHat, sigmaHat);
        Tensor d = (xHat - denoised) / sigmaHat;
        Tensor xNext = xHat + (d * (sigmaNext - sigmaHat));
        if (secondOrder && sigmaNext != 0)
        {
            Tensor denoisedPrime = run.Denoise(xNext, sigmaNext);
            Tensor dPrime = (xNext - denoisedPrime) / sigmaNext;
            xNext = xHat + (((d * 0.5) + (dPrime * 0.5)) * (sigmaNext - sigmaHat));
        }

        run.Report(i, xNext, denoised);
        return xNext;
    }
}
