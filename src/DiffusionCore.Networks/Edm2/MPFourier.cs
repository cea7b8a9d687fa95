using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm2;

/// <summary>
/// Magnitude-preserving Fourier features of a scalar per sample (Karras et al. 2024, Section 2.4 and Appendix B.2):
/// <c>√2·cos(c·freqs + phases)</c>, with fixed buffers <c>freqs = 2π·N(0, 1)</c> and <c>phases = 2π·U(0, 1)</c>.
/// The √2 makes each feature unit-variance over the random phase. The buffers are part of the state dict
/// (<c>freqs</c>, <c>phases</c>) so exported models reproduce exactly.
/// </summary>
public sealed class MPFourier : Module
{
    /// <summary>Creates <paramref name="channels"/> features; freqs then phases are drawn from <paramref name="generator"/>.</summary>
    /// <param name="channels">Number of features.</param>
    /// <param name="generator">The generator of the fixed frequencies and phases.</param>
    /// <param name="device">The device (<see cref="Device.Meta"/> to count parameters without allocating).</param>
    public MPFourier(int channels, Generator generator, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentNullException.ThrowIfNull(generator);
        Channels = channels;
        using var scope = new TensorScope();
        RegisterBuffer("freqs", Tensor.Randn([channels], generator, DType.Float32, device).Mul(2 * Math.PI));
        RegisterBuffer("phases", Tensor.Rand([channels], generator, DType.Float32, device).Mul(2 * Math.PI));
    }

    /// <summary>Number of features.</summary>
    public int Channels { get; }

    /// <summary>Maps <c>[B]</c> values to <c>[B, Channels]</c> features, computed in float32 and returned in the input's dtype.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Dim != 1)
        {
            throw new ArgumentException($"MPFourier expects one value per sample, shape [B]; got {input}.", nameof(input));
        }

        using var scope = new TensorScope();
        Tensor freqs = GetBuffer("freqs")!.To(DType.Float32);
        Tensor phases = GetBuffer("phases")!.To(DType.Float32);
        Tensor y = input.To(DType.Float32).Unsqueeze(1).Mul(freqs.Unsqueeze(0)).Add(phases);
        y = y.Cos().Mul(Math.Sqrt(2));
        return (input.DType.IsFloatingPoint() ? y.To(input.DType) : y).MoveToOuterScope();
    }

    /// <inheritdoc />
    protected override string ExtraRepresentation() => $"{Channels}";
}
