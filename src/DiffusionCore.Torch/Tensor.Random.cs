using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

public sealed partial class Tensor
{
    private static unsafe Tensor Random(int kind, ReadOnlySpan<long> shape, double a, double b, Generator? generator, DType dtype, Device? device)
    {
        ValidateShape(shape);
        Device d = device ?? generator?.Device ?? Device.Cpu;
        fixed (long* p = shape)
        {
            return Wrap(NativeMethods.dc_random_new(kind, p, shape.Length, a, b, Generator.Resolve(generator), (int)dtype, (int)d.Type, d.Index, out var r), r);
        }
    }

    /// <summary>Standard normal samples N(0, 1) from <paramref name="generator"/> (default generator when null).</summary>
    public static Tensor Randn(ReadOnlySpan<long> shape, Generator? generator = null, DType dtype = DType.Float32, Device? device = null) =>
        Random(0, shape, 0, 1, generator, dtype, device);

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor Rand(ReadOnlySpan<long> shape, Generator? generator = null, DType dtype = DType.Float32, Device? device = null) =>
        Random(1, shape, 0, 1, generator, dtype, device);

    /// <summary>Uniform integers in [low, high).</summary>
    public static Tensor RandInt(long low, long high, ReadOnlySpan<long> shape, Generator? generator = null, DType dtype = DType.Int64, Device? device = null)
    {
        if (high <= low) throw new ArgumentOutOfRangeException(nameof(high), $"high ({high}) must exceed low ({low}).");
        return Random(2, shape, low, high, generator, dtype, device);
    }

    /// <summary>A random permutation of 0..n−1 (int64).</summary>
    public static Tensor RandPerm(long n, Generator? generator = null, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        Device d = device ?? generator?.Device ?? Device.Cpu;
        return Wrap(NativeMethods.dc_randperm(n, Generator.Resolve(generator), (int)d.Type, d.Index, out var r), r);
    }

    /// <summary>Normal samples with this tensor's shape, dtype and device.</summary>
    public Tensor RandnLike(Generator? generator = null) => Randn(Shape, generator, DType, Device);

    /// <summary>Uniform [0,1) samples with this tensor's shape, dtype and device.</summary>
    public Tensor RandLike(Generator? generator = null) => Rand(Shape, generator, DType, Device);

    /// <summary>Fills in place with N(mean, std²) samples; returns this tensor.</summary>
    public Tensor NormalInPlace(double mean = 0, double std = 1, Generator? generator = null)
    {
        NativeStatus.Check(NativeMethods.dc_random_(0, Handle, mean, std, Generator.Resolve(generator)));
        return this;
    }

    /// <summary>Fills in place with U[low, high) samples; returns this tensor.</summary>
    public Tensor UniformInPlace(double low = 0, double high = 1, Generator? generator = null)
    {
        NativeStatus.Check(NativeMethods.dc_random_(1, Handle, low, high, Generator.Resolve(generator)));
        return this;
    }

    /// <summary>Fills in place with Bernoulli(p) samples (0 or 1); returns this tensor.</summary>
    public Tensor BernoulliInPlace(double p, Generator? generator = null)
    {
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "probability must be in [0, 1]");
        NativeStatus.Check(NativeMethods.dc_random_(2, Handle, p, 0, Generator.Resolve(generator)));
        return this;
    }

    /// <summary>Bernoulli samples with this tensor's elements as probabilities.</summary>
    public Tensor Bernoulli(Generator? generator = null) => Wrap(NativeMethods.dc_bernoulli(Handle, Generator.Resolve(generator), out var r), r);

    /// <summary>Draws <paramref name="numSamples"/> indices per row with probabilities proportional to this tensor's rows.</summary>
    public Tensor Multinomial(long numSamples, bool replacement = false, Generator? generator = null) =>
        Wrap(NativeMethods.dc_multinomial(Handle, numSamples, replacement ? 1 : 0, Generator.Resolve(generator), out var r), r);
}
