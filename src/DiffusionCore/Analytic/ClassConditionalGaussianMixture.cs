using DiffusionCore.Torch;

namespace DiffusionCore.Analytic;

/// <summary>
/// A class-conditional Gaussian mixture: class c has its own <see cref="GaussianMixture"/> and prior π_c. Its ideal
/// denoiser reads int64 class labels <c>[B]</c> from <see cref="ConditioningKeys.ClassLabels"/>: label c gives
/// <c>E[y | x; σ, c]</c>, the null label <see cref="NullClass"/> (= number of classes, DiT's convention) or no labels
/// give the marginal <c>E[y | x; σ]</c>. The exact oracle for classifier-free guidance
/// (<c>D_u + w·(D_c − D_u)</c>; Ho and Salimans 2022). Does not take ownership of the class mixtures; dispose it to
/// free its own tensors.
/// </summary>
public sealed class ClassConditionalGaussianMixture : IDenoiser, IDisposable
{
    private readonly GaussianMixture _marginal;
    private readonly Tensor _logWeightTable; // [C+1, K_total]
    private readonly double[] _prior;
    private readonly int[] _componentOffsets;

    /// <summary>Creates it from one mixture per class and optional class priors (uniform when null).</summary>
    /// <exception cref="ArgumentException">No class is given, dimensions differ, or the prior is invalid.</exception>
    public ClassConditionalGaussianMixture(IReadOnlyList<GaussianMixture> classes, IReadOnlyList<double>? classPrior = null)
    {
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Count == 0) throw new ArgumentException("Give at least one class mixture.", nameof(classes));
        int d = classes[0].Dimension;
        if (classes.Any(c => c.Dimension != d)) throw new ArgumentException("Every class mixture must have the same dimension.", nameof(classes));
        int numClasses = classes.Count;
        double[] prior = classPrior?.ToArray() ?? Enumerable.Repeat(1.0 / numClasses, numClasses).ToArray();
        if (prior.Length != numClasses || prior.Any(p => !(p > 0) || !double.IsFinite(p)))
        {
            throw new ArgumentException($"The class prior needs {numClasses} positive values.", nameof(classPrior));
        }

        double total = prior.Sum();
        _prior = prior.Select(p => p / total).ToArray();
        Classes = classes.ToArray();

        var weights = new List<double>();
        var means = new List<IReadOnlyList<double>>();
        var stds = new List<IReadOnlyList<double>>();
        _componentOffsets = new int[numClasses + 1];
        for (int c = 0; c < numClasses; c++)
        {
            _componentOffsets[c] = weights.Count;
            GaussianMixture m = classes[c];
            for (int k = 0; k < m.Components; k++)
            {
                weights.Add(_prior[c] * m.Weights[k]);
                means.Add(m.Means[k]);
                stds.Add(m.Stds[k]);
            }
        }

        _componentOffsets[numClasses] = weights.Count;
        _marginal = new GaussianMixture(weights, means, stds);

        int kTotal = weights.Count;
        var table = new double[(numClasses + 1) * kTotal];
        Array.Fill(table, double.NegativeInfinity);
        for (int c = 0; c < numClasses; c++)
        {
            for (int k = _componentOffsets[c]; k < _componentOffsets[c + 1]; k++)
            {
                table[(c * kTotal) + k] = Math.Log(classes[c].Weights[k - _componentOffsets[c]]);
                table[(numClasses * kTotal) + k] = Math.Log(_marginal.Weights[k]);
            }
        }

        _logWeightTable = Tensor.FromArray(table, numClasses + 1, kTotal).DetachFromScope();
    }

    /// <summary>The class mixtures.</summary>
    public IReadOnlyList<GaussianMixture> Classes { get; }

    /// <summary>The number of classes C.</summary>
    public int NumClasses => Classes.Count;

    /// <summary>The label meaning "no class" (= C), for the unconditional branch of classifier-free guidance.</summary>
    public long NullClass => NumClasses;

    /// <summary>The normalised class prior π_c.</summary>
    public IReadOnlyList<double> ClassPrior => _prior;

    /// <summary>The marginal mixture <c>Σ_c π_c·p(y | c)</c>.</summary>
    public GaussianMixture Marginal => _marginal;

    /// <summary>Draws <paramref name="count"/> samples of class <paramref name="label"/> <c>[count, D]</c>.</summary>
    public Tensor Sample(long count, long label, Generator generator, DType dtype = DType.Float64)
    {
        if (label < 0 || label >= NumClasses) throw new ArgumentOutOfRangeException(nameof(label), label, $"Class labels lie in 0..{NumClasses - 1}.");
        (Tensor samples, Tensor comps) = Classes[(int)label].Sample(count, generator, dtype);
        comps.Dispose();
        return samples;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The labels are not int64 <c>[B]</c> in 0..C.</exception>
    public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning)
    {
        PerSample.ValidateDenoiserInputs(x, sigma, conditioning);
        Tensor? labels = conditioning.ClassLabels;
        if (labels is null)
        {
            return _marginal.DenoiseCore(x, sigma, null);
        }

        if (labels.DType != DType.Int64 || labels.Dim != 1)
        {
            throw new ArgumentException(
                $"This oracle reads class labels as int64 indices [B] (0..{NumClasses - 1}, {NullClass} = unconditional); got {labels}.", nameof(conditioning));
        }

        using var scope = new TensorScope();
        double lo = labels.Min().ToDouble();
        double hi = labels.Max().ToDouble();
        if (lo < 0 || hi > NullClass)
        {
            throw new ArgumentException($"Class labels must lie in 0..{NullClass}; got values in [{lo}, {hi}].", nameof(conditioning));
        }

        Tensor logW = _logWeightTable.To(x.Device).IndexSelect(0, labels.To(x.Device));
        return _marginal.DenoiseCore(x, sigma, logW).MoveToOuterScope();
    }

    /// <summary>Frees the marginal mixture and the weight table.</summary>
    public void Dispose()
    {
        _marginal.Dispose();
        _logWeightTable.Dispose();
    }
}
