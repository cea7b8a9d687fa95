using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm2;

/// <summary>
/// Magnitude-preserving convolution or fully connected layer without bias (Karras et al. 2024, Section 2.4 and
/// Appendix B.2, "forced weight normalization", Eq. 46–47). The stored parameter <c>weight</c> <c>[out, in, kh, kw]</c>
/// (or <c>[out, in]</c>) is drawn from N(0, 1). In training mode every forward pass first re-projects it in place,
/// without gradient, to unit root-mean-square per output channel (<c>W ← normalize(W)</c>); in both modes the layer then
/// applies <c>ŵ = normalize(W)·gain/√fan_in</c> with the gradient flowing through the normalisation. Convolutions pad
/// by <c>kernel/2</c> ("same" output size for odd kernels).
/// </summary>
public sealed class MPConv : Module
{
    private MPConv(int inChannels, int outChannels, int? kernelSize, Generator generator, Device? device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentNullException.ThrowIfNull(generator);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        long[] shape = kernelSize is int k ? [outChannels, inChannels, k, k] : [outChannels, inChannels];
        RegisterParameter("weight", Tensor.Randn(shape, generator, DType.Float32, device));
    }

    /// <summary>Input channels (features).</summary>
    public int InChannels { get; }

    /// <summary>Output channels (features).</summary>
    public int OutChannels { get; }

    /// <summary>The square kernel size, or null for a fully connected layer (the reference's kernel <c>[]</c>).</summary>
    public int? KernelSize { get; }

    /// <summary>The stored weight W (not normalised until the first training-mode forward pass).</summary>
    public Tensor Weight => GetParameter("weight")!;

    /// <summary>Creates a k×k convolution <c>[out, in, k, k]</c> (padding k/2); weights drawn from <paramref name="generator"/>.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">The square kernel size (1 or 3 in EDM2).</param>
    /// <param name="generator">The generator of the N(0, 1) initial weight.</param>
    /// <param name="device">The device (<see cref="Device.Meta"/> to count parameters without allocating).</param>
    public static MPConv Conv(int inChannels, int outChannels, int kernelSize, Generator generator, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        return new MPConv(inChannels, outChannels, kernelSize, generator, device);
    }

    /// <summary>Creates a fully connected layer <c>[out, in]</c>; weights drawn from <paramref name="generator"/>.</summary>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="generator">The generator of the N(0, 1) initial weight.</param>
    /// <param name="device">The device (<see cref="Device.Meta"/> to count parameters without allocating).</param>
    public static MPConv Linear(int inFeatures, int outFeatures, Generator generator, Device? device = null) =>
        new(inFeatures, outFeatures, null, generator, device);

    /// <summary>Applies the layer with unit gain (Karras et al. 2024, Eq. 47).</summary>
    public Tensor Forward(Tensor input) => Apply(input, null, 1.0);

    /// <summary>Applies the layer with a learned scalar gain (EDM2's <c>emb_gain</c> and <c>out_gain</c>, initialised to 0).</summary>
    public Tensor Forward(Tensor input, Tensor gain)
    {
        ArgumentNullException.ThrowIfNull(gain);
        return Apply(input, gain, 1.0);
    }

    /// <summary>Applies the layer with a constant gain.</summary>
    public Tensor Forward(Tensor input, double gain) => Apply(input, null, gain);

    /// <summary>
    /// The effective weight <c>normalize(W)·gain/√fan_in</c> in float32, after the in-place re-projection of W when
    /// training (Karras et al. 2024, Eq. 46–47).
    /// </summary>
    public Tensor EffectiveWeight(Tensor? gain = null) => EffectiveWeight(gain, 1.0);

    private Tensor EffectiveWeight(Tensor? gain, double constantGain)
    {
        using var scope = new TensorScope();
        Tensor w = Weight.DType == DType.Float32 ? Weight : Weight.To(DType.Float32);
        if (IsTraining)
        {
            using var noGrad = new NoGradScope();
            using Tensor projected = MagnitudePreserving.Normalize(w).DetachFromScope();
            Weight.CopyFrom(projected);
        }

        // The constant gain (a folded mp_silu or MP-sum weight) joins 1/√fan_in in one scalar: one weight-sized op.
        long fanIn = (long)InChannels * (KernelSize is int k ? (long)k * k : 1);
        double scale = constantGain / Math.Sqrt(fanIn);
        Tensor normalized = MagnitudePreserving.Normalize(w);
        Tensor scaled = gain is null ? normalized.Mul(scale) : normalized.Mul(gain.Mul(scale));
        return scaled.MoveToOuterScope();
    }

    /// <inheritdoc />
    protected override string ExtraRepresentation() =>
        KernelSize is int k ? $"{InChannels}, {OutChannels}, kernel=[{k}, {k}]" : $"{InChannels}, {OutChannels}, kernel=[]";

    private Tensor Apply(Tensor input, Tensor? gain, double constantGain)
    {
        ArgumentNullException.ThrowIfNull(input);
        bool fits = KernelSize is null
            ? input.Dim >= 1 && input.Size(-1) == InChannels
            : input.Dim == 4 && input.Size(1) == InChannels;
        if (!fits)
        {
            throw new ArgumentException(
                KernelSize is null
                    ? $"This fully connected MPConv expects {InChannels} features in the last dimension; got {input}."
                    : $"This MPConv expects input [B, {InChannels}, H, W]; got {input}.",
                nameof(input));
        }

        using var scope = new TensorScope();
        Tensor w = EffectiveWeight(gain, constantGain);
        if (input.DType.IsFloatingPoint() && input.DType != w.DType) w = w.To(input.DType);
        Tensor y = KernelSize is int k
            ? Functional.Conv2d(input, w, null, padding: k / 2)
            : Functional.Linear(input, w);
        return y.MoveToOuterScope();
    }
}
