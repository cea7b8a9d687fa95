using DiffusionCore.Torch;

namespace DiffusionCore.Guidance;

/// <summary>
/// The conditional and unconditional denoiser outputs of the decorators built on classifier-free guidance's two
/// branches (CFG, CFG++, APG, control guidance): one call of batch n·B when batching is allowed and every branch has the
/// same entries of the same dtypes and trailing shapes, else n calls of batch B (e.g. integer class indices against
/// the zero one-hot rows a one-hot network declares as unconditional).
/// </summary>
internal static class GuidanceBranches
{
    public static (Tensor Conditional, Tensor Unconditional) Evaluate(
        IDenoiser denoiser, Tensor x, Tensor sigma, Conditioning conditioning, Func<Conditioning, Conditioning> unconditional, long batch, bool batchBranches)
    {
        Conditioning uncond = Checked(unconditional(conditioning), batch, "unconditional");
        Tensor[] outputs = EvaluateAll(denoiser, x, sigma, [conditioning, uncond], batch, batchBranches);
        return (outputs[0], outputs[1]);
    }

    /// <summary>
    /// The denoiser's output for each branch conditioning: one call of batch n·B when batching is allowed and every
    /// branch has the same entries, else n calls of batch B.
    /// </summary>
    public static Tensor[] EvaluateAll(IDenoiser denoiser, Tensor x, Tensor sigma, IReadOnlyList<Conditioning> branches, long batch, bool batchBranches)
    {
        if (batchBranches && branches.All(b => Concatenable(branches[0], b)))
        {
            Tensor[] xs = [.. Enumerable.Repeat(x, branches.Count)];
            Tensor[] sigmas = [.. Enumerable.Repeat(sigma, branches.Count)];
            Tensor all = denoiser.Denoise(Tensor.Cat(xs), Tensor.Cat(sigmas), Conditioning.Cat(branches));
            return [.. Enumerable.Range(0, branches.Count).Select(i => all.Narrow(0, i * batch, batch))];
        }

        return [.. branches.Select(b => denoiser.Denoise(x, sigma, b))];
    }

    /// <summary>A branch conditioning made by a user mapping, checked to exist and to fit the batch.</summary>
    /// <exception cref="InvalidOperationException">The mapping returned null or a conditioning of another batch size.</exception>
    public static Conditioning Checked(Conditioning? branch, long batch, string what)
    {
        if (branch is null) throw new InvalidOperationException($"The {what} mapping returned null; return Conditioning.None for no conditioning.");
        try
        {
            branch.ValidateBatch(batch);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"The {what} conditioning does not fit the batch: {e.Message}", e);
        }

        return branch;
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
