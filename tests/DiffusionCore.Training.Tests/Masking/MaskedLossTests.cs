using DiffusionCore.Denoisers;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Masking;

namespace DiffusionCore.Training.Tests.Masking;

/// <summary>Masked denoising score matching (MaskDM, Lei et al. 2023, §3; docs/recipes.md §4) through <see cref="MaskedTokenNetwork"/> and the ordinary losses.</summary>
public class MaskedLossTests
{
    public static TheoryData<string> Losses => ["edm", "ddpm"];

    private static ITrainingLoss Loss(string kind, IDiffusionNetwork network) => kind == "edm"
        ? new EdmLoss(new PreconditionedDenoiser(network, new EdmPreconditioning()))
        : new DdpmEpsilonLoss(network, DiscreteSchedule.Linear());

    private static NoiseDraw Draw(ITrainingLoss loss, long batch, ulong seed)
    {
        using var step = new TrainingStep((long)seed, 0, Enumerable.Range(0, (int)batch).ToArray());
        NoiseDraw draw = loss.Draw([batch, 1, 8, 8], step);
        return draw;
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void The_gradient_is_exactly_zero_at_every_masked_pixel(string kind)
    {
        using DiffusionTransformer dit = TinyDiT.Create();
        var network = new MaskedTokenNetwork(dit);
        ITrainingLoss loss = Loss(kind, network);
        using var g = new Generator(21);
        using var scope = new TensorScope();
        Tensor images = Tensor.Randn([3, 1, 8, 8], g).RequiresGradInPlace();
        Tensor kept = TokenMasks.Draw(new TokenMaskOptions { Kind = TokenMaskKind.RandomPatches, Ratio = 0.75 }, 3, 4, g);
        Tensor mask = TokenMasks.ElementMask(kept, 4, 2);
        NoiseDraw draw = Draw(loss, 3, 5);

        Tensor perSample = loss.Compute(images, draw, Conditioning.None.With(MaskedTokenNetwork.KeptTokensKey, kept), mask);
        perSample.Sum().Backward();

        network.KeptForwardCount.Should().Be(1);
        Tensor grad = images.Grad!;
        grad.Mul(mask.RSub(1.0)).Abs().Max().ToDouble().Should().Be(0, "masked pixels are neither seen nor scored");
        grad.Mul(mask).Abs().Sum().ToDouble().Should().BeGreaterThan(0, "visible pixels are trained");
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void The_loss_does_not_depend_on_masked_pixels(string kind)
    {
        using DiffusionTransformer dit = TinyDiT.Create();
        ITrainingLoss loss = Loss(kind, new MaskedTokenNetwork(dit));
        using var g = new Generator(22);
        using var scope = new TensorScope();
        Tensor images = Tensor.Randn([2, 1, 8, 8], g);
        Tensor kept = TokenMasks.Draw(new TokenMaskOptions { Kind = TokenMaskKind.Blocks, Ratio = 0.5, BlockSize = 2 }, 2, 4, g);
        Tensor mask = TokenMasks.ElementMask(kept, 4, 2);
        NoiseDraw draw = Draw(loss, 2, 6);
        Conditioning conditioning = Conditioning.None.With(MaskedTokenNetwork.KeptTokensKey, kept);
        Tensor changed = images.Add(Tensor.Randn([2, 1, 8, 8], g).Mul(mask.RSub(1.0)).Mul(5.0));

        float[] a = loss.Compute(images, draw, conditioning, mask).ToArray<float>();
        float[] b = loss.Compute(changed, draw, conditioning, mask).ToArray<float>();
        b.Should().Equal(a);
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Zero_masking_equals_the_unmasked_loss_bit_for_bit(string kind)
    {
        using DiffusionTransformer dit = TinyDiT.Create();
        var network = new MaskedTokenNetwork(dit);
        ITrainingLoss loss = Loss(kind, network);
        using var g = new Generator(23);
        using var scope = new TensorScope();
        Tensor images = Tensor.Randn([3, 1, 8, 8], g);
        Tensor kept = TokenMasks.Draw(new TokenMaskOptions { Kind = TokenMaskKind.Blocks, Ratio = 0, BlockSize = 2 }, 3, 4, g);
        kept.Shape.Should().Equal(3, 16);
        NoiseDraw draw = Draw(loss, 3, 7);

        float[] masked = loss.Compute(images, draw, Conditioning.None.With(MaskedTokenNetwork.KeptTokensKey, kept), TokenMasks.ElementMask(kept, 4, 2)).ToArray<float>();
        float[] plain = loss.Compute(images, draw, Conditioning.None).ToArray<float>();

        network.KeptForwardCount.Should().Be(1);
        masked.Should().Equal(plain);
    }
}
