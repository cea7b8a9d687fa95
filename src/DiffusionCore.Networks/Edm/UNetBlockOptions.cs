namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The settings of a <see cref="UNetBlock"/> shared by all blocks of one network (Karras et al. 2022, App. F.2, and
/// Table 7): DDPM++/NCSN++ use skip scale 1/√2, ε = 10⁻⁶, a 1×1 projection on resampled skips and additive embedding;
/// ADM uses skip scale 1, ε = 10⁻⁵, parameter-free resampled skips and adaptive scale/shift.
/// </summary>
public sealed record UNetBlockOptions
{
    /// <summary>Channels of the embedding vector the block is conditioned on.</summary>
    public required int EmbeddingChannels { get; init; }

    /// <summary>Dropout probability before the second convolution (Srivastava et al. 2014).</summary>
    public double Dropout { get; init; }

    /// <summary>Factor applied after each residual sum: 1/√2 for DDPM++/NCSN++ (Song et al. 2021), 1 for ADM.</summary>
    public double SkipScale { get; init; } = 1;

    /// <summary>ε of the group normalisations: 10⁻⁶ for DDPM++/NCSN++, 10⁻⁵ for ADM.</summary>
    public double Eps { get; init; } = 1e-5;

    /// <summary>The filter of up- and downsampling blocks.</summary>
    public ResampleFilter ResampleFilter { get; init; } = ResampleFilter.Box;

    /// <summary>
    /// Whether a resampling block's skip path has a 1×1 convolution even when the channel count is unchanged
    /// (DDPM++/NCSN++: yes; ADM: a parameter-free resampling).
    /// </summary>
    public bool ResampleProjection { get; init; }

    /// <summary>
    /// Adaptive group normalisation (Dhariwal &amp; Nichol 2021, §3): the embedding gives a per-channel scale and shift,
    /// <c>h = norm(h)·(1 + s) + b</c>; otherwise it is added before the normalisation (DDPM++/NCSN++).
    /// </summary>
    public bool AdaptiveScale { get; init; } = true;

    /// <summary>Initialisation of the convolutions, the skip and the embedding projection.</summary>
    public EdmInit Init { get; init; } = EdmInit.KaimingNormal;

    /// <summary>Initialisation of the last convolution and the attention output projection (near zero).</summary>
    public EdmInit InitZero { get; init; } = new(EdmInitMode.KaimingNormal, WeightScale: 0);

    /// <summary>Initialisation of the q/k/v projection; <see cref="Init"/> when null.</summary>
    public EdmInit? InitAttention { get; init; }

    /// <summary>Throws when an option is invalid.</summary>
    /// <exception cref="ArgumentException">Names the invalid option.</exception>
    public void Validate()
    {
        if (EmbeddingChannels < 1)
        {
            throw new ArgumentException($"UNetBlockOptions.EmbeddingChannels must be positive; got {EmbeddingChannels}.", nameof(EmbeddingChannels));
        }

        if (!(Dropout >= 0 && Dropout <= 1))
        {
            throw new ArgumentException($"UNetBlockOptions.Dropout must be in [0, 1]; got {Dropout}.", nameof(Dropout));
        }

        if (!(SkipScale > 0) || !double.IsFinite(SkipScale))
        {
            throw new ArgumentException($"UNetBlockOptions.SkipScale must be positive; got {SkipScale}.", nameof(SkipScale));
        }

        if (!(Eps > 0))
        {
            throw new ArgumentException($"UNetBlockOptions.Eps must be positive; got {Eps}.", nameof(Eps));
        }

        ArgumentNullException.ThrowIfNull(ResampleFilter);
        ArgumentNullException.ThrowIfNull(Init);
        ArgumentNullException.ThrowIfNull(InitZero);
        Init.Validate();
        InitZero.Validate();
        InitAttention?.Validate();
    }
}
