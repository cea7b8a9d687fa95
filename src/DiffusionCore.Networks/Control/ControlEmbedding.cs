using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Control;

/// <summary>
/// How the networks apply their optional <see cref="ControlEmbedder"/>: without one, control metadata in the
/// conditioning is an error (it would be silently ignored) and the embedding is returned unchanged.
/// </summary>
internal static class ControlEmbedding
{
    /// <summary><c>emb + g(σ)·ctrl</c> (DiT, DDPM++, ADM), or <paramref name="embedding"/> when there is no control path.</summary>
    public static Tensor Add(ControlEmbedder? embedder, Tensor embedding, Tensor noiseLabels, Conditioning? conditioning) =>
        embedder is null ? Unchanged(embedding, conditioning) : embedder.AddTo(embedding, noiseLabels, conditioning ?? Conditioning.None);

    /// <summary>EDM2's <c>mp_sum(emb, ctrl, Balance·g(σ))</c>, or <paramref name="embedding"/> when there is no control path.</summary>
    public static Tensor MagnitudePreservingSum(ControlEmbedder? embedder, Tensor embedding, Tensor noiseLabels, Conditioning? conditioning) =>
        embedder is null ? Unchanged(embedding, conditioning) : embedder.MagnitudePreservingSum(embedding, noiseLabels, conditioning ?? Conditioning.None);

    private static Tensor Unchanged(Tensor embedding, Conditioning? conditioning)
    {
        if (conditioning?.ControlMetadata is not null)
        {
            throw new ArgumentException(
                $"The conditioning has '{ConditioningKeys.ControlMetadata}' but this network has no control path: build it with Control = new ControlConditioningOptions {{ Width = M }} in its options, or remove the entry.",
                nameof(conditioning));
        }

        return embedding;
    }
}
