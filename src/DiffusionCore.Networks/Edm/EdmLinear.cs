using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The fully connected layer of the EDM networks (Karras et al. 2022, App. F): <c>y = x·Wᵀ + b</c> with parameters
/// <c>weight</c> [out, in] and optional <c>bias</c> [out], initialised by an <see cref="EdmInit"/> rule with
/// fan_in = in, fan_out = out. The parameters are cast to the input's dtype, as the reference does under mixed precision.
/// </summary>
public sealed class EdmLinear : Module, ITensorModule
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="init">The initialisation rule (<see cref="EdmInit.KaimingNormal"/> when null).</param>
    /// <param name="generator">Generator of the initial draw (the default generator when null).</param>
    /// <param name="device">Device of the parameters (CPU when null; <see cref="Device.Meta"/> for shape-only counting).</param>
    public EdmLinear(int inFeatures, int outFeatures, bool bias = true, EdmInit? init = null, Generator? generator = null, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        init ??= EdmInit.KaimingNormal;
        init.Validate();
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Tensor w = RegisterParameter("weight", Tensor.Empty([outFeatures, inFeatures], DType.Float32, device));
        Tensor? b = RegisterParameter("bias", bias ? Tensor.Empty([outFeatures], DType.Float32, device) : null);
        init.Apply(w, b, inFeatures, outFeatures, generator);
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>y = x·Wᵀ + b over the last dimension of <paramref name="input"/>.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = new TensorScope();
        Tensor w = EdmCast.Like(GetParameter("weight")!, input);
        Tensor? b = GetParameter("bias") is { } bias ? EdmCast.Like(bias, input) : null;
        return Functional.Linear(input, w, b).MoveToOuterScope();
    }

    /// <inheritdoc />
    protected override string ExtraRepresentation() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={(GetParameter("bias") is not null ? "True" : "False")}";
}
