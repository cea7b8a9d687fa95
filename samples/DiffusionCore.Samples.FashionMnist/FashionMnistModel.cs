using DiffusionCore.Denoisers;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Training.Losses;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>What the job's network is trained to predict (docs/recipes.md: EDM2 preconditioning and loss, or flow matching).</summary>
internal enum ObjectiveKind
{
    /// <summary>EDM2: the preconditioned denoiser with learned uncertainty and the EDM2 loss (Karras et al. 2024, Eq. 21).</summary>
    Edm2,

    /// <summary>Rectified flow: the UNet predicts the velocity of x_t = (1 − t)·x₀ + t·ε, SD3 logit-normal t (Esser et al. 2024).</summary>
    Flow,
}

/// <summary>
/// The job's network: a class-conditional EDM2 UNet on zero-padded 32×32 Fashion-MNIST, trained either as an EDM2
/// denoiser or as a flow-matching velocity model, and sampled through the same solvers as a denoiser D(x; σ).
/// </summary>
internal sealed class FashionMnistModel : IDisposable
{
    public const int Resolution = 32;
    public const int Classes = 10;

    private FashionMnistModel(Module network, IDenoiser denoiser, Func<ITrainingLoss> loss)
    {
        Network = network;
        Denoiser = denoiser;
        CreateLoss = loss;
    }

    /// <summary>The trained module (its state dict is what checkpoints, snapshots and post-hoc EMA hold).</summary>
    public Module Network { get; }

    /// <summary>The network as a denoiser D(x; σ) for the solvers.</summary>
    public IDenoiser Denoiser { get; }

    /// <summary>The training loss of the objective.</summary>
    public Func<ITrainingLoss> CreateLoss { get; }

    public static Edm2UNetOptions Options(int channels, int blocks) => new()
    {
        ImgResolution = Resolution,
        ImgChannels = 1,
        LabelDim = Classes,
        ModelChannels = channels,
        ChannelMult = [1, 2, 2],
        NumBlocks = blocks,
        AttentionResolutions = [8],
        Dropout = 0,
    };

    public static Edm2UNetOptions Options(JobOptions o) => Options(o.Channels, o.Blocks);

    /// <summary>The main network of <paramref name="o"/>.</summary>
    public static FashionMnistModel Create(JobOptions o) => Create(o.Objective, Options(o), (ulong)o.Seed);

    /// <summary>A network of <paramref name="objective"/> with initial weights drawn from <paramref name="seed"/>.</summary>
    public static FashionMnistModel Create(ObjectiveKind objective, Edm2UNetOptions options, ulong seed)
    {
        using var g = new Generator(seed);
        if (objective == ObjectiveKind.Flow)
        {
            var unet = new Edm2UNet(options, g);
            return new FashionMnistModel(unet, PreconditionedDenoiser.FlowMatching(unet), () => new FlowMatchingLoss(unet));
        }

        var edm2 = new Edm2Denoiser(options, g);
        return new FashionMnistModel(edm2, edm2, () => new Edm2Loss(edm2, pMean: -1.2, pStd: 1.2));
    }

    public void Dispose() => Network.Dispose();
}
