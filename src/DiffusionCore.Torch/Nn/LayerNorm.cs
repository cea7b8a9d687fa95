namespace DiffusionCore.Torch.Nn;

/// <summary>
/// Layer normalisation over the trailing <see cref="NormalizedShape"/> dimensions (Ba et al. 2016, Eq. 4;
/// torch.nn.LayerNorm), with optional element-wise affine <c>weight</c> (ones) and <c>bias</c> (zeros).
/// </summary>
public sealed class LayerNorm : Module, ITensorModule
{
    private readonly long[] _normalizedShape;

    /// <summary>Creates the layer normalising over the last dimension of size <paramref name="normalizedShape"/>.</summary>
    public LayerNorm(long normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true, DType dtype = DType.Float32, Device? device = null)
        : this([normalizedShape], eps, elementwiseAffine, bias, dtype, device)
    {
    }

    /// <summary>Creates the layer normalising over the trailing dimensions <paramref name="normalizedShape"/>.</summary>
    /// <param name="normalizedShape">Sizes of the trailing dimensions to normalise over.</param>
    /// <param name="eps">Added to the variance for numerical stability.</param>
    /// <param name="elementwiseAffine">Whether to learn a per-element scale (and shift).</param>
    /// <param name="bias">Whether the affine part has a shift (torch ≥ 2.1 <c>bias</c> argument).</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device.</param>
    public LayerNorm(long[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(static s => s < 1))
        {
            throw new ArgumentException("normalizedShape must name at least one dimension, each of positive size.", nameof(normalizedShape));
        }

        _normalizedShape = (long[])normalizedShape.Clone();
        Eps = eps;
        RegisterParameter("weight", elementwiseAffine ? Tensor.Ones(_normalizedShape, dtype, device) : null);
        RegisterParameter("bias", elementwiseAffine && bias ? Tensor.Zeros(_normalizedShape, dtype, device) : null);
    }

    /// <summary>Sizes of the trailing dimensions normalised over.</summary>
    public IReadOnlyList<long> NormalizedShape => _normalizedShape;

    /// <summary>Added to the variance for numerical stability.</summary>
    public double Eps { get; }

    /// <summary>The element-wise scale, or null without affine.</summary>
    public Tensor? Weight => GetParameter("weight");

    /// <summary>The element-wise shift, or null.</summary>
    public Tensor? Bias => GetParameter("bias");

    /// <summary>Normalises over the trailing dimensions (torch.nn.functional.layer_norm).</summary>
    public Tensor Forward(Tensor input) => Functional.LayerNorm(input, _normalizedShape, Weight, Bias, Eps);

    /// <inheritdoc />
    protected override string ExtraRepresentation() =>
        FormattableString.Invariant($"({string.Join(", ", _normalizedShape)},), eps={Eps}, elementwise_affine={(Weight is not null ? "True" : "False")}");
}
