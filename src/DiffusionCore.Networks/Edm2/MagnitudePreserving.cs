using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Edm2;

/// <summary>
/// The magnitude-preserving (MP) primitives of EDM2 (Karras et al. 2024, "Analyzing and Improving the Training Dynamics
/// of Diffusion Models", Sections 2.3–2.4 and Appendix B): normalisation, MP SiLU, MP sum and MP concatenation. Each
/// keeps unit-variance inputs at unit variance, so activation magnitudes neither grow nor shrink through the network.
/// </summary>
public static class MagnitudePreserving
{
    /// <summary>The ε added to the root-mean-square in <see cref="Normalize(Tensor, ReadOnlySpan{long}, double)"/> (1e-4 in EDM2).</summary>
    public const double DefaultEpsilon = 1e-4;

    /// <summary>
    /// The divisor of <see cref="Silu"/>: the standard deviation of silu(x) for x ~ N(0, 1), ≈ 0.596
    /// (Karras et al. 2024, Section 2.4, Eq. 85).
    /// </summary>
    public const double SiluScale = 0.596;

    /// <summary>
    /// <c>normalize(x, dims) = x / (ε + rms(x over dims))</c> with <c>rms = ‖x‖₂·√(numel(‖x‖)/numel(x))</c>
    /// (Karras et al. 2024, Section 2.4 "forced weight normalization" and Appendix B.2). The norm is taken in float32
    /// and the result has the dtype of <paramref name="x"/>.
    /// </summary>
    /// <param name="x">The tensor.</param>
    /// <param name="dims">The dimensions the root-mean-square is taken over (negative values count from the end).</param>
    /// <param name="epsilon">ε, <see cref="DefaultEpsilon"/> in EDM2.</param>
    /// <returns>A new tensor of the shape and dtype of <paramref name="x"/>.</returns>
    public static Tensor Normalize(Tensor x, ReadOnlySpan<long> dims, double epsilon = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (dims.IsEmpty) throw new ArgumentException("Give at least one dimension to normalise over.", nameof(dims));
        int rank = x.Dim;
        foreach (long d in dims)
        {
            if (d < -rank || d >= rank)
            {
                throw new ArgumentOutOfRangeException(nameof(dims), d, $"dimension out of range for a tensor of rank {rank}");
            }
        }

        // rms = √mean(x²), taken as square → mean → √ rather than with linalg.vector_norm: libtorch 1.13's norm kernel does
        // not vectorise a reduction over an outer dimension (the channels of a pixel norm), and it and the division's
        // backward were several times slower (benchmarks/results/2026-11-22.md). The mean square is clamped at 1e-30 before the root so that an all-zero vector gets the
        // zero subgradient of ‖·‖ (as vector_norm's backward gives) instead of 0·∞ = NaN; √1e-30 = 1e-15 is far below
        // ε's float32 resolution, so no other value changes. Multiplying by 1/(ε + rms) instead of dividing by it is the
        // same quotient to within one float32 rounding (one more rounding of the reciprocal for bfloat16/float16 inputs),
        // with a cheaper backward (no −g·x/n² pass).
        using var scope = new TensorScope();
        bool float32 = x.DType == DType.Float32;  // skips two no-op casts (one dispatch each, per weight and step)
        Tensor rms = (float32 ? x : x.To(DType.Float32)).Square().Mean(dims, keepDim: true).Clamp(min: MinMeanSquare).Sqrt();
        Tensor inverse = rms.Add(epsilon).Reciprocal();
        return x.Mul(float32 ? inverse : inverse.To(x.DType)).MoveToOuterScope();
    }

    /// <summary>The floor of the mean square in <see cref="Normalize(Tensor, ReadOnlySpan{long}, double)"/> (see there).</summary>
    private const double MinMeanSquare = 1e-30;

    /// <summary>
    /// <see cref="Normalize(Tensor, ReadOnlySpan{long}, double)"/> over every dimension but the first: the per-output-channel
    /// normalisation of a weight <c>[out, in, …]</c> (Karras et al. 2024, Eq. 46, forced weight normalisation).
    /// </summary>
    public static Tensor Normalize(Tensor x, double epsilon = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rank = x.Dim;
        if (rank < 2) throw new ArgumentException($"Normalising over all but the first dimension needs rank ≥ 2; got {x}.", nameof(x));
        long[] dims = new long[rank - 1];
        for (int i = 0; i < dims.Length; i++) dims[i] = i + 1;
        return Normalize(x, dims, epsilon);
    }

    /// <summary>
    /// Pixel normalisation: <see cref="Normalize(Tensor, ReadOnlySpan{long}, double)"/> over the channel dimension 1 of
    /// <c>[B, C, …]</c> activations (Karras et al. 2024, Section 2.3, replacing group normalisation).
    /// </summary>
    public static Tensor PixelNorm(Tensor x, double epsilon = DefaultEpsilon) => Normalize(x, [1], epsilon);

    /// <summary>MP SiLU: <c>silu(x) / 0.596</c> (Karras et al. 2024, Section 2.4, Eq. 85).</summary>
    public static Tensor Silu(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = new TensorScope();

        // In place on silu's fresh output: its backward needs only x, so autograd is unaffected and one buffer is saved.
        return x.Silu().DivInPlace(SiluScale).MoveToOuterScope();
    }

    /// <summary>
    /// MP sum: <c>((1−t)·a + t·b) / √((1−t)² + t²)</c>, a weighted sum that keeps unit variance for independent
    /// unit-variance inputs (Karras et al. 2024, Section 2.4, Eq. 88). <paramref name="b"/> is cast to the dtype of
    /// <paramref name="a"/> when they differ.
    /// </summary>
    /// <param name="a">The first term (weight 1 − t).</param>
    /// <param name="b">The second term (weight t).</param>
    /// <param name="t">The balance in [0, 1]: 0.3 for residual branches, 0.5 for labels.</param>
    public static Tensor Sum(Tensor a, Tensor b, double t = 0.5)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ValidateBalance(t, nameof(t));
        using var scope = new TensorScope();
        Tensor bb = b.DType == a.DType ? b : b.To(a.DType);
        // In place on lerp's fresh output (a scalar-weight lerp saves nothing for its backward).
        return a.Lerp(bb, t).DivInPlace(SumNorm(t)).MoveToOuterScope();
    }

    /// <summary>
    /// The weights of the first and second term in <see cref="Sum"/>: <c>((1−t), t) / √((1−t)² + t²)</c>
    /// (Karras et al. 2024, Section 2.4, Eq. 88), for callers that fold a weight into a preceding layer.
    /// </summary>
    /// <param name="t">The balance in [0, 1].</param>
    public static (double A, double B) SumWeights(double t)
    {
        ValidateBalance(t, nameof(t));
        double norm = SumNorm(t);
        return ((1 - t) / norm, t / norm);
    }

    private static double SumNorm(double t) => Math.Sqrt(((1 - t) * (1 - t)) + (t * t));

    /// <summary>
    /// MP concatenation along <paramref name="dim"/>: with <c>C = √((N_a+N_b) / ((1−t)² + t²))</c>, concatenates
    /// <c>C/√N_a·(1−t)·a</c> and <c>C/√N_b·t·b</c> (N = sizes along <paramref name="dim"/>), so that the result has unit
    /// variance and the two parts contribute in proportion (1−t) : t (Karras et al. 2024, Section 2.4, Eq. 103).
    /// </summary>
    public static Tensor Cat(Tensor a, Tensor b, double t = 0.5, int dim = 1)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ValidateBalance(t, nameof(t));
        double na = a.Size(dim);
        double nb = b.Size(dim);
        double c = Math.Sqrt((na + nb) / (((1 - t) * (1 - t)) + (t * t)));
        double wa = c / Math.Sqrt(na) * (1 - t);
        double wb = c / Math.Sqrt(nb) * t;
        using var scope = new TensorScope();
        Tensor bb = b.DType == a.DType ? b : b.To(a.DType);

        // Concatenate first, then scale both parts in one in-place pass by a per-index weight along dim: two passes over
        // the activations instead of three (cat's backward needs nothing from its output, so autograd is unaffected).
        int axis = dim < 0 ? dim + a.Dim : dim;
        long[] weightShape = Enumerable.Repeat(1L, a.Dim).ToArray();
        weightShape[axis] = (long)(na + nb);
        float[] weights = new float[(long)(na + nb)];
        Array.Fill(weights, (float)wa, 0, (int)na);
        Array.Fill(weights, (float)wb, (int)na, (int)nb);
        Tensor scale = Tensor.FromArray(weights, weightShape).To(a.Device, a.DType);
        return Tensor.Cat([a, bb], dim).MulInPlace(scale).MoveToOuterScope();
    }

    // Any finite t is valid (the reference takes any): outside [0, 1] the weights extrapolate, and √((1−t)² + t²) > 0.
    private static void ValidateBalance(double t, string name)
    {
        if (!double.IsFinite(t))
        {
            throw new ArgumentOutOfRangeException(name, t, "an MP balance must be a finite number (0.5 weighs both inputs equally)");
        }
    }
}
