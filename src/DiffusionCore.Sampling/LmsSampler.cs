using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>Options of the <see cref="LmsSampler"/>.</summary>
public sealed record LmsOptions : SamplerOptions
{
    /// <summary>The number of past derivatives combined, 1 (Euler) to 4 (default, k-diffusion's).</summary>
    public int Order { get; init; } = 4;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (Order is < 1 or > 4) throw new ArgumentException($"The LMS order must be 1, 2, 3 or 4; got {Order}.", nameof(Order));
    }
}

/// <summary>
/// The linear multistep method in σ (k-diffusion's <c>sample_lms</c>; Adams–Bashforth on a variable grid, Hairer et
/// al. 1993, Sect. III.5) on <c>dx/dσ = d(x; σ) = (x − D(x; σ))/σ</c> (Karras et al. 2022, Eq. 4):
/// <c>x_{i+1} = x_i + Σ_j c_{ij}·d_{i−j}</c>, where <c>c_{ij} = ∫_{σ_i}^{σ_{i+1}} ℓ_j(σ) dσ</c> integrates the Lagrange
/// basis polynomial of the nodes σ_i, …, σ_{i−p+1} exactly (p = min(Order, i + 1)). The step into σ = 0 is an Euler step
/// (it returns D, as every solver here; k-diffusion extrapolates the polynomial to 0 instead). Order p; N denoiser calls.
/// </summary>
public sealed class LmsSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    public LmsSampler(LmsOptions? options = null)
    {
        Options = options ?? new LmsOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public LmsOptions Options { get; }

    /// <inheritdoc />
    SamplerOptions ISampler.Options => Options;

    /// <inheritdoc />
    public int FunctionEvaluations(IReadOnlyList<double> sigmas) => SamplerRun.CountFunctionEvaluations(sigmas, secondOrder: false);

    /// <inheritdoc />
    public SamplingResult Sample(
        IDenoiser denoiser, Tensor x, IReadOnlyList<double> sigmas, Conditioning? conditioning = null, INoiseSource? noise = null,
        IProgress<SamplerStep>? progress = null, CancellationToken cancellationToken = default)
    {
        using var run = new SamplerRun(denoiser, x, sigmas, Options, conditioning, noise, progress, null, cancellationToken);
        var derivatives = new StepHistory(Options.Order);
        return run.Run(run.Initial, (i, xCur) => run.DenoisedStep(i, xCur, denoised =>
        {
            derivatives.Push((xCur - denoised) / run.Sigmas[i]);
            double[] c = Coefficients(run.Sigmas, i, Math.Min(Options.Order, i + 1));
            Tensor xNext = xCur;
            for (int j = 0; j < c.Length; j++) xNext = xNext + (derivatives[j] * c[j]);
            return xNext;
        }));
    }

    /// <summary>
    /// <c>c_j = ∫_{σ_i}^{σ_{i+1}} Π_{k≠j} (s − σ_{i−k})/(σ_{i−j} − σ_{i−k}) ds</c>, j = 0..p−1, by exact integration of
    /// the polynomial's coefficients in <c>s − σ_i</c> (shifted so no term is much larger than the step).
    /// </summary>
    internal static double[] Coefficients(IReadOnlyList<double> sigmas, int i, int order)
    {
        double origin = sigmas[i], end = sigmas[i + 1] - origin;
        var c = new double[order];
        for (int j = 0; j < order; j++)
        {
            // Coefficients of Π_{k≠j}(u − (σ_{i−k} − σ_i)) in u = s − σ_i, lowest power first, and the denominator Π_{k≠j}(σ_{i−j} − σ_{i−k}).
            var poly = new double[order];
            poly[0] = 1;
            int degree = 0;
            double denominator = 1;
            for (int k = 0; k < order; k++)
            {
                if (k == j) continue;
                double node = sigmas[i - k] - origin;
                degree++;
                for (int q = degree; q >= 1; q--) poly[q] = poly[q - 1] - (node * poly[q]);
                poly[0] *= -node;
                denominator *= sigmas[i - j] - sigmas[i - k];
            }

            double integral = 0;
            for (int q = 0; q <= degree; q++) integral += poly[q] * Math.Pow(end, q + 1) / (q + 1);
            c[j] = integral / denominator;
        }

        return c;
    }
}
