namespace DiffusionCore.Models;

/// <summary>How the tensors of a model file are arranged, and so which module <c>Load(path)</c> rebuilds around the network.</summary>
public enum ModelLayout
{
    /// <summary>The raw network F itself (no prefix); the denoiser is built from the <see cref="ModelDescription.Preconditioning"/> (DiT trained with the ε loss).</summary>
    Network,

    /// <summary>A preconditioned network module: the network under the prefix <c>model.</c> (EDM's <c>EDMPrecond</c>, <c>PreconditionedNetwork</c>).</summary>
    PreconditionedNetwork,

    /// <summary>A family's own denoiser module (the EDM2 <c>Precond</c> with its uncertainty head: <c>unet.</c>, <c>logvar_*</c>).</summary>
    Denoiser,
}
