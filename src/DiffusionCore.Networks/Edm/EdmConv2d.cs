using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The convolution of the EDM networks with optional ×2 resampling (Karras et al. 2022, App. F.2): a square
/// <c>kernel</c>×<c>kernel</c> convolution with "same" padding (no convolution at all for kernel 0, leaving a pure
/// resampling layer), preceded by up- or downsampling with a <see cref="ResampleFilter"/> registered as the buffer
/// <c>resample_filter</c> [1, 1, k, k]. Downsampling convolves every channel with the filter at stride 2 (padding
/// ⌊(k−1)/2⌋); upsampling applies the transposed depthwise convolution with 4× the filter at stride 2. With
/// <c>fusedResample</c> the order is changed as in NCSN++'s residual encoder path (Song et al. 2021): convolve first and
/// then downsample (or upsample first with the paddings traded), which changes the border handling. The bias is added
/// last. Parameters: <c>weight</c> [out, in, k, k], <c>bias</c> [out].
/// </summary>
public sealed class EdmConv2d : Module, ITensorModule
{
    private readonly ResampleFilter _filter;

    /// <summary>Creates the layer.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels (must equal <paramref name="inChannels"/> when <paramref name="kernel"/> is 0).</param>
    /// <param name="kernel">Kernel side; 0 for a resampling-only layer without weight and bias.</param>
    /// <param name="bias">Whether the layer has a bias (ignored for kernel 0).</param>
    /// <param name="resample">Up- or downsampling by 2, or none.</param>
    /// <param name="filter">The resampling filter (<see cref="ResampleFilter.Box"/> when null).</param>
    /// <param name="fusedResample">Convolve before downsampling (or upsample with traded paddings); see the class remarks.</param>
    /// <param name="init">Initialisation (<see cref="EdmInit.KaimingNormal"/> when null); fans are in·k² and out·k².</param>
    /// <param name="generator">Generator of the initial draw (the default generator when null).</param>
    /// <param name="device">Device of the parameters and buffer.</param>
    public EdmConv2d(
        int inChannels, int outChannels, int kernel, bool bias = true, ResampleMode resample = ResampleMode.None, ResampleFilter? filter = null,
        bool fusedResample = false, EdmInit? init = null, Generator? generator = null, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(kernel);
        if (!Enum.IsDefined(resample))
        {
            throw new ArgumentOutOfRangeException(nameof(resample), resample, "not a ResampleMode");
        }

        if (kernel == 0 && inChannels != outChannels)
        {
            throw new ArgumentException($"A resampling-only EdmConv2d (kernel 0) keeps its channels; got {inChannels} → {outChannels}.", nameof(outChannels));
        }

        init ??= EdmInit.KaimingNormal;
        init.Validate();
        _filter = filter ?? ResampleFilter.Box;
        InChannels = inChannels;
        OutChannels = outChannels;
        Kernel = kernel;
        Resample = resample;
        FusedResample = fusedResample;
        Tensor? w = RegisterParameter("weight", kernel > 0 ? Tensor.Empty([outChannels, inChannels, kernel, kernel], DType.Float32, device) : null);
        Tensor? b = RegisterParameter("bias", kernel > 0 && bias ? Tensor.Empty([outChannels], DType.Float32, device) : null);
        init.Apply(w, b, (long)inChannels * kernel * kernel, (long)outChannels * kernel * kernel, generator);
        RegisterBuffer("resample_filter", resample == ResampleMode.None ? null : _filter.CreateKernel(device));
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel side (0: no convolution).</summary>
    public int Kernel { get; }

    /// <summary>The resampling this layer applies.</summary>
    public ResampleMode Resample { get; }

    /// <summary>Whether the fused order is used (see the class remarks).</summary>
    public bool FusedResample { get; }

    /// <summary>Applies resampling, convolution and bias to NCHW <paramref name="input"/>.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = new TensorScope();
        Tensor? w = GetParameter("weight") is { } weight ? EdmCast.Like(weight, input) : null;
        Tensor? b = GetParameter("bias") is { } bias ? EdmCast.Like(bias, input) : null;
        Tensor? f = GetBuffer("resample_filter") is { } filter ? EdmCast.Like(filter, input) : null;
        int wPad = w is null ? 0 : Kernel / 2;
        int fPad = f is null ? 0 : FilterResampling.Padding(_filter);
        Tensor x = input;
        if (FusedResample && Resample == ResampleMode.Up && w is not null)
        {
            x = Functional.ConvTranspose2d(x, FilterResampling.Depthwise(f!, InChannels).Mul(4.0), stride: 2, padding: Math.Max(fPad - wPad, 0), groups: InChannels);
            x = Functional.Conv2d(x, w, padding: Math.Max(wPad - fPad, 0));
        }
        else if (FusedResample && Resample == ResampleMode.Down && w is not null)
        {
            x = Functional.Conv2d(x, w, padding: wPad + fPad);
            x = Functional.Conv2d(x, FilterResampling.Depthwise(f!, OutChannels), stride: 2, groups: OutChannels);
        }
        else
        {
            if (Resample == ResampleMode.Up)
            {
                x = FilterResampling.Up(x, _filter, f!);
            }
            else if (Resample == ResampleMode.Down)
            {
                x = FilterResampling.Down(x, _filter, f!);
            }

            if (w is not null)
            {
                x = Functional.Conv2d(x, w, padding: wPad);
            }
        }

        if (b is not null)
        {
            x = x.Add(b.Reshape(1, -1, 1, 1));
        }

        return (ReferenceEquals(x, input) ? x.Alias() : x).MoveToOuterScope();
    }

    /// <inheritdoc />
    protected override string ExtraRepresentation() =>
        $"{InChannels}, {OutChannels}, kernel={Kernel}, resample={Resample}, filter=[{_filter}]{(FusedResample ? ", fused" : string.Empty)}";
}
