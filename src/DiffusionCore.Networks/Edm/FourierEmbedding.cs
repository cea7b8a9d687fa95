using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The random Fourier-feature noise-level embedding of NCSN++ (Tancik et al. 2020; Song et al. 2021; Karras et al. 2022,
/// App. F.2): fixed frequencies <c>ω ~ N(0, scale²)</c> of C/2 entries stored as the buffer <c>freqs</c>, and output
/// <c>[cos(2π·t·ω), sin(2π·t·ω)]</c>. No trainable parameters.
/// </summary>
public sealed class FourierEmbedding : Module, ITensorModule
{
    /// <summary>Creates the embedding, drawing the frequencies from <paramref name="generator"/> (the default generator when null).</summary>
    /// <exception cref="ArgumentException">The channel count is odd or the scale is not positive.</exception>
    public FourierEmbedding(int numChannels, double scale = 16, Generator? generator = null, Device? device = null)
    {
        if (numChannels < 2 || numChannels % 2 != 0)
        {
            throw new ArgumentException($"A Fourier embedding needs an even channel count; got {numChannels}.", nameof(numChannels));
        }

        if (!(scale > 0) || !double.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "the frequency scale must be positive (NCSN++: 16)");
        }

        NumChannels = numChannels;
        Scale = scale;
        using var noGrad = new NoGradScope();
        Tensor freqs = Tensor.Randn([numChannels / 2], generator, DType.Float32, device);
        freqs.MulInPlace(scale);
        RegisterBuffer("freqs", freqs);
    }

    /// <summary>Output channels C.</summary>
    public int NumChannels { get; }

    /// <summary>The standard deviation of the frequencies (16).</summary>
    public double Scale { get; }

    /// <summary>Embeds labels <c>[B]</c> as <c>[B, C]</c> = [cos, sin].</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = new TensorScope();
        Tensor freqs = GetBuffer("freqs")!.Mul(2 * Math.PI).To(input.DType);
        return SinusoidalFeatures.CosSin(input.Unsqueeze(1).Mul(freqs.Unsqueeze(0))).MoveToOuterScope();
    }

    /// <inheritdoc />
    protected override string ExtraRepresentation() => FormattableString.Invariant($"num_channels={NumChannels}, scale={Scale}");
}
