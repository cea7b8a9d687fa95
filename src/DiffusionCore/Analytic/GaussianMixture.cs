using DiffusionCore.Torch;

namespace DiffusionCore.Analytic;

/// <summary>
/// A mixture of axis-aligned Gaussians <c>p(y) = Σ_k w_k·N(y; μ_k, diag(s_k²))</c> whose ideal denoiser is known in
/// closed form, an exact oracle for samplers (no trained network needed). Noising by σ convolves each component:
/// <c>p(x; σ) = Σ_k w_k·N(x; μ_k, diag(s_k² + σ²))</c>, and the minimum-L2 denoiser (Karras et al. 2022, Eq. 3 and
/// Appendix B.3) is <c>D(x; σ) = E[y | x; σ] = Σ_k r_k(x; σ)·(μ_k + s_k²/(s_k²+σ²)·(x − μ_k))</c> with posterior
/// responsibilities <c>r_k ∝ w_k·N(x; μ_k, diag(s_k²+σ²))</c>.
/// The denoiser runs in float64 with elementwise ops and per-row reductions only (no matrix products), so each
/// sample's result does not depend on the batch it is evaluated in. Owns its parameter tensors: dispose it when done.
/// </summary>
public sealed class GaussianMixture : IDenoiser, IDisposable
{
    private readonly double[] _weights;
    private readonly double[][] _means;
    private readonly double[][] _stds;
    private readonly Tensor _mu;       // [K, D]
    private readonly Tensor _var;      // [K, D]
    private readonly Tensor _std;      // [K, D]
    private readonly Tensor _logW;     // [K]
    private readonly Tensor _w;        // [K]

    /// <summary>Creates a mixture with per-component, per-dimension standard deviations.</summary>
    /// <param name="weights">Mixture weights w_k (positive; normalised to sum 1).</param>
    /// <param name="means">Component means μ_k, K rows of D values.</param>
    /// <param name="stds">Component standard deviations s_k, K rows of D positive values.</param>
    /// <exception cref="ArgumentException">The sizes disagree or a value is invalid.</exception>
    public GaussianMixture(IReadOnlyList<double> weights, IReadOnlyList<IReadOnlyList<double>> means, IReadOnlyList<IReadOnlyList<double>> stds)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(stds);
        int k = weights.Count;
        if (k == 0) throw new ArgumentException("A mixture needs at least one component.", nameof(weights));
        if (means.Count != k || stds.Count != k)
        {
            throw new ArgumentException($"Got {k} weights, {means.Count} means and {stds.Count} std rows; give one of each per component.", nameof(means));
        }

        int d = means[0].Count;
        if (d == 0) throw new ArgumentException("Components need at least one dimension.", nameof(means));
        double total = 0;
        for (int i = 0; i < k; i++)
        {
            if (!(weights[i] > 0) || !double.IsFinite(weights[i])) throw new ArgumentException($"weights[{i}] = {weights[i]} must be positive and finite.", nameof(weights));
            if (means[i].Count != d || stds[i].Count != d)
            {
                throw new ArgumentException($"Component {i} has {means[i].Count} mean and {stds[i].Count} std values; every component needs D = {d}.", nameof(means));
            }

            for (int j = 0; j < d; j++)
            {
                if (!double.IsFinite(means[i][j])) throw new ArgumentException($"means[{i}][{j}] is not finite.", nameof(means));
                if (!(stds[i][j] > 0) || !double.IsFinite(stds[i][j])) throw new ArgumentException($"stds[{i}][{j}] = {stds[i][j]} must be positive and finite.", nameof(stds));
            }

            total += weights[i];
        }

        _weights = weights.Select(w => w / total).ToArray();
        _means = means.Select(m => m.ToArray()).ToArray();
        _stds = stds.Select(s => s.ToArray()).ToArray();
        Dimension = d;

        double[] flatMu = _means.SelectMany(m => m).ToArray();
        double[] flatStd = _stds.SelectMany(s => s).ToArray();
        _mu = Tensor.FromArray(flatMu, k, d).DetachFromScope();
        _std = Tensor.FromArray(flatStd, k, d).DetachFromScope();
        _var = Tensor.FromArray(flatStd.Select(s => s * s).ToArray(), k, d).DetachFromScope();
        _w = Tensor.FromArray(_weights).DetachFromScope();
        _logW = Tensor.FromArray(_weights.Select(w => Math.Log(w)).ToArray()).DetachFromScope();
    }

    /// <summary>A mixture of isotropic components: <paramref name="stds"/>[k] is the standard deviation of component k in every dimension.</summary>
    public static GaussianMixture Isotropic(IReadOnlyList<double> weights, IReadOnlyList<IReadOnlyList<double>> means, IReadOnlyList<double> stds)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(stds);
        if (stds.Count != means.Count) throw new ArgumentException($"Got {means.Count} means and {stds.Count} stds.", nameof(stds));
        return new GaussianMixture(weights, means, means.Select((m, i) => (IReadOnlyList<double>)Enumerable.Repeat(stds[i], m.Count).ToArray()).ToArray());
    }

    /// <summary>K, the number of components.</summary>
    public int Components => _weights.Length;

    /// <summary>D, the number of values per sample (samples of any shape <c>[B, ...]</c> with D values each are accepted).</summary>
    public int Dimension { get; }

    /// <summary>The normalised weights w_k.</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>The component means μ_k.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Means => _means;

    /// <summary>The component standard deviations s_k.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Stds => _stds;

    /// <summary>The mixture mean <c>Σ_k w_k·μ_k</c>.</summary>
    public double[] Mean()
    {
        var m = new double[Dimension];
        for (int k = 0; k < Components; k++)
        {
            for (int j = 0; j < Dimension; j++) m[j] += _weights[k] * _means[k][j];
        }

        return m;
    }

    /// <summary>The mixture covariance <c>Σ_k w_k·(diag(s_k²) + μ_k·μ_kᵀ) − m·mᵀ</c> (D×D, row-major jagged).</summary>
    public double[][] Covariance()
    {
        double[] m = Mean();
        var c = new double[Dimension][];
        for (int i = 0; i < Dimension; i++)
        {
            c[i] = new double[Dimension];
            for (int j = 0; j < Dimension; j++)
            {
                double s = 0;
                for (int k = 0; k < Components; k++)
                {
                    s += _weights[k] * ((_means[k][i] * _means[k][j]) + (i == j ? _stds[k][i] * _stds[k][i] : 0));
                }

                c[i][j] = s - (m[i] * m[j]);
            }
        }

        return c;
    }

    /// <summary>
    /// Draws <paramref name="count"/> samples <c>[count, D]</c> and their component indices <c>[count]</c> (int64).
    /// </summary>
    public (Tensor Samples, Tensor Components) Sample(long count, Generator generator, DType dtype = DType.Float64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(generator);
        using var scope = new TensorScope();
        Tensor comps = _w.Multinomial(count, replacement: true, generator);
        Tensor noise = Tensor.Randn([count, Dimension], generator, DType.Float64);
        Tensor samples = _mu.IndexSelect(0, comps) + (_std.IndexSelect(0, comps) * noise);
        return (samples.To(dtype).MoveToOuterScope(), comps.MoveToOuterScope());
    }

    /// <summary>
    /// The posterior responsibilities <c>r_k(x; σ) = P(component k | x; σ)</c>, <c>[B, K]</c> float64.
    /// </summary>
    public Tensor Responsibilities(Tensor x, Tensor sigma)
    {
        PerSample.ValidateDenoiserInputs(x, sigma, Conditioning.None);
        using var scope = new TensorScope();
        return Posterior(x, sigma, null, null).Responsibilities.MoveToOuterScope();
    }

    /// <summary>The ideal denoiser <c>E[y | x; σ]</c> (conditioning is ignored). Accepts σ = 0 (returns x).</summary>
    public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning)
    {
        PerSample.ValidateDenoiserInputs(x, sigma, conditioning);
        return DenoiseCore(x, sigma, null);
    }

    /// <summary>
    /// The ideal rectified-flow velocity <c>v(x_t; t) = E[ε − y | x_t]</c> for the linear path
    /// <c>x_t = (1 − t)·y + t·ε</c> (Liu et al. 2023; Esser et al. 2024, "SD3", Eq. 1–3), in closed form for every
    /// t ∈ [0, 1]: per component and dimension <c>x_t | k ~ N((1−t)·μ_k, v_k)</c> with <c>v_k = (1−t)²·s_k² + t²</c>,
    /// <c>E[y | x_t, k] = μ_k + (1−t)·s_k²/v_k·(x_t − (1−t)·μ_k)</c>, <c>E[ε | x_t, k] = t/v_k·(x_t − (1−t)·μ_k)</c>, and
    /// <c>v = Σ_k r_k·(E[ε | x_t, k] − E[y | x_t, k])</c> with responsibilities <c>r_k ∝ w_k·N(x_t; (1−t)·μ_k, v_k)</c>.
    /// At t = 1 it is <c>x_1 − Σ_k w_k·μ_k</c>. Computed without the σ form, so it is an independent oracle for
    /// <see cref="Denoisers.FlowMatchingPreconditioning"/>.
    /// </summary>
    /// <param name="xt">Points on the path <c>[B, ...]</c> with D values each.</param>
    /// <param name="t">One time per sample <c>[B]</c>, in [0, 1].</param>
    /// <returns>The velocity, float64, shaped like <paramref name="xt"/>.</returns>
    public Tensor Velocity(Tensor xt, Tensor t)
    {
        PerSample.ValidateDenoiserInputs(xt, t, Conditioning.None);
        using var scope = new TensorScope();
        Tensor t64 = t.To(DType.Float64);
        if (!(t64.Ge(0.0).LogicalAnd(t64.Le(1.0))).All().ToBoolean())
        {
            throw new ArgumentOutOfRangeException(nameof(t), "Rectified-flow times must lie in [0, 1].");
        }

        (Tensor r, Tensor postMean, Tensor diff, Tensor v) = Posterior(xt, t64, t64.RSub(1), null);
        Tensor noiseMean = (t64.Reshape(xt.Size(0), 1, 1) / v) * diff;          // E[ε | x_t, k]
        Tensor velocity = (r.Unsqueeze(-1) * (noiseMean - postMean)).Sum([1L]);
        return velocity.Reshape(xt.Shape).MoveToOuterScope();
    }

    /// <summary>
    /// The ideal denoiser with per-sample log-weights <c>[B, K]</c> (−∞ switches a component off): the posterior mean
    /// under the re-weighted mixture. Used for class-conditional mixtures.
    /// </summary>
    internal Tensor DenoiseCore(Tensor x, Tensor sigma, Tensor? logWeights)
    {
        using var scope = new TensorScope();
        (Tensor r, Tensor postMean, _, _) = Posterior(x, sigma, null, logWeights);
        Tensor d = (r.Unsqueeze(-1) * postMean).Sum([1L]);
        return d.Reshape(x.Shape).To(x.DType).MoveToOuterScope();
    }

    // x = a·y + b·n with n ~ N(0, I): b = noiseStd; a = signal (1 when null, the σ form). Per component and dimension
    // x | k ~ N(a·μ_k, a²·s_k² + b²) and E[y | x, k] = μ_k + a·s_k²/(a²·s_k² + b²)·(x − a·μ_k). Returns the
    // responsibilities [B, K], E[y | x, k] [B, K, D], x − a·μ_k and the variances a²·s_k² + b² [B, K, D].
    private (Tensor Responsibilities, Tensor PosteriorMeans, Tensor Residuals, Tensor Variances) Posterior(Tensor x, Tensor noiseStd, Tensor? signal, Tensor? logWeights)
    {
        long b = x.Size(0);
        if (x.NumElements != b * Dimension)
        {
            throw new ArgumentException(
                $"This mixture has D = {Dimension} values per sample, but x has shape [{string.Join(", ", x.Shape)}].", nameof(x));
        }

        Device dev = x.Device;
        Tensor mu = _mu.To(dev).Unsqueeze(0);                   // [1, K, D]
        Tensor var = _var.To(dev).Unsqueeze(0);                 // [1, K, D]
        Tensor xf = x.To(DType.Float64).Reshape(b, 1, Dimension);
        Tensor s2 = noiseStd.To(DType.Float64).Square().Reshape(b, 1, 1);
        Tensor? a = signal?.To(DType.Float64).Reshape(b, 1, 1);
        Tensor v = (a is null ? var : var * a.Square()) + s2;   // [B, K, D]
        Tensor diff = xf - (a is null ? mu : mu * a);           // [B, K, D]
        Tensor quad = (diff.Square() / v).Sum([-1L]);           // [B, K]
        Tensor logDet = v.Log().Sum([-1L]);                     // [B, K]
        Tensor logits = (quad + logDet) * -0.5;
        logits = logits + (logWeights ?? _logW.To(dev).Unsqueeze(0));
        Tensor r = logits.Softmax(-1);                          // [B, K]
        Tensor gain = a is null ? var / v : var * a / v;
        Tensor postMean = mu + (gain * diff);                   // [B, K, D]
        return (r, postMean, diff, v);
    }

    /// <summary>Frees the parameter tensors.</summary>
    public void Dispose()
    {
        _mu.Dispose();
        _var.Dispose();
        _std.Dispose();
        _logW.Dispose();
        _w.Dispose();
    }
}
