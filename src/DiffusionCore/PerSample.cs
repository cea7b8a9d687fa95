using DiffusionCore.Torch;

namespace DiffusionCore;

/// <summary>
/// Checks and broadcasting for per-sample quantities (one σ per sample): the shapes every denoiser, sampler and loss
/// agrees on.
/// </summary>
public static class PerSample
{
    /// <summary>
    /// Validates a denoiser call: <paramref name="x"/> is a floating-point batch <c>[B, ...]</c>, <paramref name="sigma"/>
    /// holds one noise level per sample <c>[B]</c>, and every conditioning entry has batch size B.
    /// </summary>
    /// <returns>The batch size B.</returns>
    /// <exception cref="ArgumentException">A shape or dtype does not fit; the message says which and how to fix it.</exception>
    public static long ValidateDenoiserInputs(Tensor x, Tensor sigma, Conditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(sigma);
        ArgumentNullException.ThrowIfNull(conditioning);
        long[] xs = x.Shape;
        if (xs.Length == 0)
        {
            throw new ArgumentException("x must be a batch [B, ...]; got a 0-d tensor. Add a batch dimension with Unsqueeze(0).", nameof(x));
        }

        if (!x.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"x must be floating point; got {x.DType}. Convert it with To(DType.Float32).", nameof(x));
        }

        long[] ss = sigma.Shape;
        if (ss.Length != 1 || ss[0] != xs[0])
        {
            throw new ArgumentException(
                $"sigma must hold one noise level per sample, shape [{xs[0]}]; got [{string.Join(", ", ss)}]. " +
                $"For one shared level use Tensor.Full([{xs[0]}], sigma).", nameof(sigma));
        }

        conditioning.ValidateBatch(xs[0]);
        return xs[0];
    }

    /// <summary>
    /// Throws unless every noise level in <paramref name="sigma"/> is positive and finite: the preconditionings divide by
    /// σ and take its logarithm (Karras et al. 2022, Table 1), so σ ≤ 0, NaN or ±∞ would make every output NaN.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A noise level is not positive and finite; the message names the sample.</exception>
    public static void ValidateNoiseLevels(Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        using var scope = new TensorScope();
        using var noGrad = new NoGradScope();
        if (sigma.Gt(0).LogicalAnd(sigma.IsFinite()).All().ToBoolean()) return;
        double[] values = sigma.To(DType.Float64).ToArray<double>();
        int bad = Array.FindIndex(values, s => !(s > 0 && double.IsFinite(s)));
        throw new ArgumentOutOfRangeException(
            nameof(sigma),
            $"Noise levels must be positive and finite; sample {bad} has σ = {values[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)}. " +
            "A denoiser is evaluated at σ > 0 only (samplers stop at σ = 0 without evaluating it).");
    }

    /// <summary>
    /// Reshapes a per-sample vector <c>[B]</c> to <c>[B, 1, …, 1]</c> with <paramref name="rank"/> dimensions so it
    /// broadcasts against a batch of that rank (e.g. σ against images <c>[B, C, H, W]</c>).
    /// </summary>
    public static Tensor Broadcastable(Tensor perSample, int rank)
    {
        ArgumentNullException.ThrowIfNull(perSample);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        Span<long> shape = stackalloc long[rank];
        shape.Fill(1);
        shape[0] = -1;
        return perSample.Reshape(shape);
    }
}
