using System.Globalization;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The separable 1-D taps of the resampling filter used by EDM up- and downsampling layers (Karras et al. 2022, App. F.2;
/// Song et al. 2021 use FIR [1, 3, 3, 1] for NCSN++ after StyleGAN2). The 2-D kernel is <c>f·fᵀ / (Σf)²</c>:
/// downsampling convolves each channel with it at stride 2, upsampling applies the transposed convolution with the kernel
/// times 4. <see cref="Box"/> ([1, 1]) is 2×2 average pooling and nearest-neighbour upsampling.
/// </summary>
public sealed class ResampleFilter : IEquatable<ResampleFilter>
{
    private readonly double[] _taps;

    /// <summary>Creates a filter from its 1-D taps.</summary>
    /// <exception cref="ArgumentException">There are no taps, a tap is not finite, or the taps sum to zero.</exception>
    public ResampleFilter(params IReadOnlyList<double> taps)
    {
        ArgumentNullException.ThrowIfNull(taps);
        _taps = [.. taps];
        if (_taps.Length == 0)
        {
            throw new ArgumentException("A resample filter needs at least one tap, e.g. [1, 1] (box) or [1, 3, 3, 1] (FIR).", nameof(taps));
        }

        if (_taps.Any(t => !double.IsFinite(t)) || _taps.Sum() == 0)
        {
            throw new ArgumentException($"Resample filter taps must be finite and must not sum to zero; got [{this}].", nameof(taps));
        }
    }

    /// <summary>[1, 1]: 2×2 box filter (average pooling down, nearest-neighbour up); DDPM++ and ADM.</summary>
    public static ResampleFilter Box { get; } = new(1, 1);

    /// <summary>[1, 3, 3, 1]: the FIR filter of NCSN++ (Song et al. 2021; Karras et al. 2022, App. F.2).</summary>
    public static ResampleFilter Fir { get; } = new(1, 3, 3, 1);

    /// <summary>The 1-D taps.</summary>
    public IReadOnlyList<double> Taps => _taps;

    /// <summary>The side of the 2-D kernel.</summary>
    public int Size => _taps.Length;

    /// <summary>
    /// Throws unless the filter has an even number of taps. With k odd, upsampling gives 2H − 1 pixels instead of 2H, so a
    /// network that resamples cannot join its skip connections (the references fail there too; EDM2 asserts it).
    /// </summary>
    /// <param name="owner">The option that holds the filter, e.g. "SongUNetOptions.ResampleFilter", for the message.</param>
    /// <exception cref="ArgumentException">The filter has an odd number of taps.</exception>
    internal void EnsureEvenTaps(string owner)
    {
        if (_taps.Length % 2 != 0)
        {
            throw new ArgumentException(
                $"{owner} [{this}] has {_taps.Length} taps: upsampling with an odd filter gives 2H − 1 pixels, which cannot meet the skip " +
                "connections of the same level (the reference networks fail there too). Use an even number of taps, e.g. [1, 1] or [1, 3, 3, 1].",
                owner);
        }
    }

    /// <summary>True for the [1, 1] box filter (any positive equal pair), which has exact pooling/nearest fast paths.</summary>
    internal bool IsBox => _taps.Length == 2 && _taps[0] == _taps[1];

    /// <summary>
    /// The normalised 2-D kernel <c>f·fᵀ/(Σf)²</c> as a float32 tensor <c>[1, 1, k, k]</c> on <paramref name="device"/>
    /// (the <c>resample_filter</c> buffer of the reference state dicts).
    /// </summary>
    public Tensor CreateKernel(Device? device = null)
    {
        int k = _taps.Length;
        double sum = _taps.Sum();
        var values = new float[k * k];
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                values[(i * k) + j] = (float)((float)_taps[i] * (float)_taps[j] / (float)(sum * sum));
            }
        }

        Tensor cpu = Tensor.FromArray(values, 1, 1, k, k);
        if (device is not { } d || d == Device.Cpu)
        {
            return cpu;
        }

        using (cpu)
        {
            return cpu.To(d);
        }
    }

    /// <inheritdoc />
    public bool Equals(ResampleFilter? other) => other is not null && _taps.AsSpan().SequenceEqual(other._taps);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ResampleFilter);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (double t in _taps)
        {
            h.Add(t);
        }

        return h.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _taps.Select(t => t.ToString(CultureInfo.InvariantCulture)));
}
