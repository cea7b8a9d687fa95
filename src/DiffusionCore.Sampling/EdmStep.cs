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

        // Each new tensor is made once and then updated in place, reusing its buffer: three state-sized allocations
        // per Heun step instead of ten. The operations and their order are those of the formulas, so the bits are too.
        Tensor d = xHat.Sub(denoised).DivInPlace(sigmaHat);
        Tensor xNext = d.Mul(sigmaNext - sigmaHat).AddInPlace(xHat);
        if (secondOrder && sigmaNext != 0)
        {
            Tensor denoisedPrime = run.Denoise(xNext, sigmaNext);
            Tensor dPrime = xNext.Sub(denoisedPrime).DivInPlace(sigmaNext);

            // x̂ + (½d + ½d′)(σ_{i+1} − σ̂), in d's buffer.
            xNext = d.MulInPlace(0.5).AddInPlace(dPrime.MulInPlace(0.5)).MulInPlace(sigmaNext - sigmaHat).AddInPlace(xHat);
        }

        run.Report(i, xNext, denoised);
        return xNext;
    }
}
