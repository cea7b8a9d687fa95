namespace DiffusionCore.Networks.DiT;

/// <summary>Where DiT's class conditioning enters (<see cref="DiTOptions.ClassConditioning"/>).</summary>
public enum DiTSemanticConditioning
{
    /// <summary>The class embedding is added to the adaLN conditioning vector c = t_emb + y_emb (Peebles &amp; Xie 2023, §3.2).</summary>
    AdaLayerNorm,

    /// <summary>
    /// The class embedding is one extra token in the attention sequence (joint attention with the image tokens,
    /// removed before the output head), and c carries only the timestep and controls (Berrada et al. 2024;
    /// docs/recipes.md §6).
    /// </summary>
    Tokens,
}
