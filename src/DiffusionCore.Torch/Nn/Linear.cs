namespace DiffusionCore.Torch.Nn;

/// <summary>
/// Fully connected layer y = x·Wᵀ + b over the last dimension (torch.nn.Linear). Parameters <c>weight</c>
/// [out, in] and <c>bias</c> [out], initialised as PyTorch does: W by kaiming_uniform_(a = √5), i.e.
/// U(−1/√in, 1/√in), and b by U(−1/√in, 1/√in).
/// </summary>
public sealed class Linear : Module, ITensorModule
{
    /// <summary>Creates the layer and initialises it from <paramref name="generator"/> (the default generator when null).</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Tensor w = RegisterParameter("weight", Tensor.Empty([outFeatures, inFeatures], dtype, device));
        Tensor? b = RegisterParameter("bias", bias ? Tensor.Empty([outFeatures], dtype, device) : null);
        Init.DefaultLayerInit(w, b, generator);
    }

    /// <summary>Size of each input sample.</summary>
    public int InFeatures { get; }

    /// <summary>Size of each output sample.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight [out, in].</summary>
    public Tensor Weight => GetParameter("weight")!;

    /// <summary>The bias [out], or null.</summary>
    public Tensor? Bias => GetParameter("bias");

    /// <summary>y = x·Wᵀ + b for input [..., in] (torch.nn.functional.linear).</summary>
    public Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);

    /// <inheritdoc />
    protected override string ExtraRepresentation() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias is not null ? "True" : "False")}";
}
