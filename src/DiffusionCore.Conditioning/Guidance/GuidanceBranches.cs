using DiffusionCore.Torch;

namespace DiffusionCore.Guidance;

/// <summary>
/// The conditional and unconditional denoiser outputs of the decorators built on classifier-free guidance's two
/// branches (CFG++, APG): one call of batch 2B when batching is allowed and both conditionings have the same entries,
/// else two calls of batch B (the scheme of <see cref="ClassifierFreeGuidance"/>).
/// </summary>
internal static class GuidanceBranches
{
    public static (Tensor Conditional, Tensor Unconditional) Evaluate(
        IDenoiser denoiser, Tensor x, Tensor sigma, Conditioning conditioning, Func<Conditioning, Conditioning> unconditional, long batch, bool batchBranches)
    {
        Conditioning uncond = unconditional(conditioning)
            ?? throw new InvalidOperationException("The unconditional mapping returned null; return Conditioning.None for no conditioning.");
        try
        {
            uncond.ValidateBatch(batch);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"The unconditional conditioning does not fit the batch: {e.Message}", e);
        }

        if (batchBranches && uncond.Names.SequenceEqual(conditioning.Names, StringComparer.Ordinal))
        {
            Tensor both = denoiser.Denoise(Tensor.Cat([x, x]), Tensor.Cat([sigma, sigma]), Conditioning.Cat([conditioning, uncond]));
            return (both.Narrow(0, 0, batch), both.Narrow(0, batch, batch));
        }

        return (denoiser.Denoise(x, sigma, conditioning), denoiser.Denoise(x, sigma, uncond));
    }
}
