using DiffusionCore.Torch;

namespace DiffusionCore.Guidance;

/// <summary>
/// The conditional and unconditional denoiser outputs of the decorators built on classifier-free guidance's two
/// branches (CFG, CFG++, APG): one call of batch 2B when batching is allowed and both conditionings have the same
/// entries of the same dtypes and trailing shapes, else two calls of batch B (e.g. integer class indices against the
/// zero one-hot rows a one-hot network declares as unconditional).
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

        if (batchBranches && Concatenable(conditioning, uncond))
        {
            Tensor both = denoiser.Denoise(Tensor.Cat([x, x]), Tensor.Cat([sigma, sigma]), Conditioning.Cat([conditioning, uncond]));
            return (both.Narrow(0, 0, batch), both.Narrow(0, batch, batch));
        }

        return (denoiser.Denoise(x, sigma, conditioning), denoiser.Denoise(x, sigma, uncond));
    }

    private static bool Concatenable(Conditioning a, Conditioning b)
    {
        if (!a.Names.SequenceEqual(b.Names, StringComparer.Ordinal)) return false;
        foreach ((string name, Tensor t) in a.Entries)
        {
            Tensor u = b.Entries[name];
            if (t.DType != u.DType || !t.Shape.AsSpan(1).SequenceEqual(u.Shape.AsSpan(1))) return false;
        }

        return true;
    }
}
