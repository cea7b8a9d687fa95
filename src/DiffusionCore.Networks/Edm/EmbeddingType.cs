namespace DiffusionCore.Networks.Edm;

/// <summary>The noise-level embedding of a <see cref="SongUNet"/> (Karras et al. 2022, App. F.2, Table 7).</summary>
public enum EmbeddingType
{
    /// <summary>Sinusoidal positional embedding with endpoint (DDPM++; <see cref="PositionalEmbedding"/>).</summary>
    Positional,

    /// <summary>Random Fourier features (NCSN++; <see cref="FourierEmbedding"/>).</summary>
    Fourier,
}
