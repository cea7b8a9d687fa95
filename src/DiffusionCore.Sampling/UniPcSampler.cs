using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>The B(h) of UniPC (Zhao et al. 2023, Sect. 3.3).</summary>
public enum UniPcVariant
{
    /// <summary>B(h) = h (the paper's choice for unconditional sampling).</summary>
    Bh1 = 0,

    /// <summary>B(h) = e^h − 1 (the paper's choice for guided sampling and the usual default).</summary>
    Bh2 = 1,
}

/// <summary>Options of the <see cref="UniPcSampler"/>.</summary>
public sealed record UniPcOptions : SamplerOptions
{
    /// <summary>p, the order of the predictor UniP-p: 1, 2 (default) or 3; with the corrector the method has order p + 1.</summary>
    public int Order { get; init; } = 2;

    /// <summary>B(h): <see cref="UniPcVariant.Bh2"/> by default.</summary>
    public UniPcVariant Variant { get; init; } = UniPcVariant.Bh2;

    /// <summary>Apply the corrector UniC after every step but the last (default true; false leaves UniP alone, order p).</summary>
    public bool UseCorrector { get; init; } = true;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (Order is < 1 or > 3) throw new ArgumentException($"The UniPC order must be 1, 2 or 3; got {Order} (2 for guided sampling, 3 for unconditional).", nameof(Order));
        if (!Enum.IsDefined(Variant)) throw new ArgumentException($"Unknown UniPC variant {Variant}; use Bh1 or Bh2.", nameof(Variant));
    }
}

/// <summary>
/// UniPC (Zhao et al. 2023, "UniPC: A Unified Predictor-Corrector Framework for Fast Sampling of Diffusion Models",
/// Algorithms UniP-p and UniC-p, data prediction, in the σ form; λ = −ln σ). Step i evaluates <c>m_i = D(x_i; σ_i)</c>
/// once; the corrector UniC first refines x_i from x_{i−1} with m_i added to the history, then the predictor UniP
/// extrapolates to σ_{i+1}: <c>x_{i+1} = (σ_{i+1}/σ_i)·x_i + (1 − e^{−h})·m_i − B(h)·Σ_k ρ_k·(m_{i−k} − m_i)/r_k</c> with
/// <c>r_k = (λ_{i−k} − λ_i)/h</c> and ρ from <see cref="UniPcCoefficients"/>. Because the corrector reuses the model
/// output of the next step, UniPC-p reaches order p + 1 with N denoiser calls. The order rises from 1 over the first
/// steps and falls to min(p, N − i) over the last ones (diffusers' lower_order_final); the step into σ = 0 returns D.
/// Measured on the Gaussian-mixture oracle: global order 2, 3 and 4 for p = 1, 2, 3.
/// </summary>
public sealed class UniPcSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    public UniPcSampler(UniPcOptions? options = null)
    {
        Options = options ?? new UniPcOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public UniPcOptions Options { get; }

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
        var history = new StepHistory(Options.Order);
        Tensor? lastX = null;
        int lastOrder = 0;
        return run.Run(run.Initial, (i, xCur) => run.DenoisedStep(i, xCur, denoised =>
        {
            Tensor xc = lastX is not null && Options.UseCorrector
                ? Correct(run.Sigmas, i, lastX, history, denoised, lastOrder)
                : xCur;
            history.Push(denoised);
            int order = Math.Min(Options.Order, Math.Min(i + 1, run.Steps - i));
            Tensor xNext = Predict(run.Sigmas, i, xc, history, order);
            lastX?.Dispose();
            lastX = SamplerRun.Keep(xc.Alias());
            lastOrder = order;
            return xNext;
        }));
    }

    // UniP-p from σ_i to σ_{i+1}; history[k] = m_{i−k}.
    private Tensor Predict(IReadOnlyList<double> sigmas, int i, Tensor x, StepHistory history, int order)
    {
        double h = Math.Log(sigmas[i] / sigmas[i + 1]);
        double z = -h;
        double bh = UniPcCoefficients.B(Options.Variant, z);
        Tensor m0 = history[0];
        double[] rks = Positions(sigmas, i, order - 1, h);
        double[] rho = UniPcCoefficients.Predictor(order, rks, z, bh);
        Tensor result = (x * (sigmas[i + 1] / sigmas[i])) - (m0 * double.ExpM1(z));
        for (int k = 0; k < rho.Length; k++)
        {
            result = result - ((history[k + 1] - m0) * (bh * rho[k] / rks[k]));
        }

        return result;
    }

    // UniC-p of the step σ_{i−1} → σ_i from x_{i−1} (lastX) with the new output m_i; history[k] = m_{i−1−k} (not yet holding m_i).
    private Tensor Correct(IReadOnlyList<double> sigmas, int i, Tensor lastX, StepHistory history, Tensor denoised, int order)
    {
        double h = Math.Log(sigmas[i - 1] / sigmas[i]);
        double z = -h;
        double bh = UniPcCoefficients.B(Options.Variant, z);
        Tensor m0 = history[0];
        double[] rks = Positions(sigmas, i - 1, order - 1, h);
        double[] rho = UniPcCoefficients.Corrector(order, rks, z, bh);
        Tensor result = (lastX * (sigmas[i] / sigmas[i - 1])) - (m0 * double.ExpM1(z));
        for (int k = 0; k < rks.Length; k++)
        {
            result = result - ((history[k + 1] - m0) * (bh * rho[k] / rks[k]));
        }

        return result - ((denoised - m0) * (bh * rho[^1]));
    }

    // r_k = (λ_{j−k} − λ_j)/h for k = 1..count, λ = −ln σ.
    private static double[] Positions(IReadOnlyList<double> sigmas, int j, int count, double h) =>
        [.. Enumerable.Range(1, count).Select(k => Math.Log(sigmas[j] / sigmas[j - k]) / h)];
}
