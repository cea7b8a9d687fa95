namespace DiffusionCore.Torch.Nn;

/// <summary>
/// Group normalisation (Wu &amp; He 2018, Eq. 1–3; torch.nn.GroupNorm): normalises each group of
/// <c>numChannels/numGroups</c> channels of N C … input to zero mean and unit variance, then applies the per-channel
/// affine <c>weight</c> (ones) and <c>bias</c> (zeros) when <c>affine</c>.
/// </summary>
public sealed class GroupNorm : Module, ITensorModule
{
    /// <summary>Creates the layer.</summary>
    public GroupNorm(int numGroups, int numChannels, double eps = 1e-5, bool affine = true, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numGroups, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numChannels, 1);
        if (numChannels % numGroups != 0)
        {
            throw new ArgumentException($"numChannels ({numChannels}) must be divisible by numGroups ({numGroups}).", nameof(numChannels));
        }

        NumGroups = numGroups;
        NumChannels = numChannels;
        Eps = eps;
        RegisterParameter("weight", affine ? Tensor.Ones([numChannels], dtype, device) : null);
        RegisterParameter("bias", affine ? Tensor.Zeros([numChannels], dtype, device) : null);
    }

    /// <summary>Number of channel groups.</summary>
    public int NumGroups { get; }

    /// <summary>Number of channels.</summary>
    public int NumChannels { get; }

    /// <summary>Added to the variance for numerical stability.</summary>
    public double Eps { get; }

    /// <summary>The per-channel scale [C], or null without affine.</summary>
    public Tensor? Weight => GetParameter("weight");

    /// <summary>The per-channel shift [C], or null without affine.</summary>
    public Tensor? Bias => GetParameter("bias");

    /// <summary>Normalises N C … input (torch.nn.functional.group_norm).</summary>
    public Tensor Forward(Tensor input) => Functional.GroupNorm(input, NumGroups, Weight, Bias, Eps);

    /// <inheritdoc />
    protected override string ExtraRepresentation() =>
        FormattableString.Invariant($"{NumGroups}, {NumChannels}, eps={Eps}, affine={(Weight is not null ? "True" : "False")}");
}
