using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The sinusoidal noise-level embedding of DDPM++ and ADM (Vaswani et al. 2017, §3.5; Song et al. 2021; Dhariwal &amp;
/// Nichol 2021; Karras et al. 2022, App. F.2): for C channels and label t, frequencies
/// <c>ω_i = (1/max_positions)^(i/(C/2 − e))</c>, i = 0 … C/2−1, with e = 1 when <c>endpoint</c> (the last frequency is
/// exactly 1/max_positions, as in DDPM++) and 0 otherwise (ADM), and output <c>[cos(t·ω), sin(t·ω)]</c>. No parameters.
/// </summary>
public sealed class PositionalEmbedding : Module, ITensorModule
{
    /// <summary>Creates the embedding.</summary>
    /// <exception cref="ArgumentException">The channel count is odd or too small for the endpoint spacing, or max_positions ≤ 0.</exception>
    public PositionalEmbedding(int numChannels, int maxPositions = 10000, bool endpoint = false)
    {
        if (numChannels < 2 || numChannels % 2 != 0 || (endpoint && numChannels < 4))
        {
            throw new ArgumentException($"A positional embedding needs an even channel count (≥ 4 with endpoint); got {numChannels}.", nameof(numChannels));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxPositions, 1);
        NumChannels = numChannels;
        MaxPositions = maxPositions;
        Endpoint = endpoint;
    }

    /// <summary>Output channels C.</summary>
    public int NumChannels { get; }

    /// <summary>The longest period scale (10 000).</summary>
    public int MaxPositions { get; }

    /// <summary>Whether the frequency grid includes its endpoint 1/max_positions.</summary>
    public bool Endpoint { get; }

    /// <summary>Embeds labels <c>[B]</c> as <c>[B, C]</c> = [cos, sin].</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = new TensorScope();
        int half = NumChannels / 2;
        Tensor freqs = Tensor.Arange(0, half, 1, DType.Float32, input.Device)
            .Div((double)(half - (Endpoint ? 1 : 0)))
            .RPow(1.0 / MaxPositions)
            .To(input.DType);
        return SinusoidalFeatures.CosSin(input.Unsqueeze(1).Mul(freqs.Unsqueeze(0))).MoveToOuterScope();
    }

    /// <inheritdoc />
    protected override string ExtraRepresentation() => $"num_channels={NumChannels}, max_positions={MaxPositions}, endpoint={Endpoint}";
}
