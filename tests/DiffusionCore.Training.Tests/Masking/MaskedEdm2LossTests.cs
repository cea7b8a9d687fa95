using DiffusionCore.Denoisers;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Torch;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Masking;
using DiffusionCore.Training.Tests.Support;

namespace DiffusionCore.Training.Tests.Masking;

/// <summary>The EDM2 loss with learned uncertainty (Karras et al. 2024, Eq. 21) on a masked patch-token network through <see cref="MaskedUncertaintyDenoiser"/>.</summary>
public sealed class MaskedEdm2LossTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_gradient_is_exactly_zero_at_masked_pixels_and_the_uncertainty_head_learns()
    {
        using DiffusionTransformer dit = TinyDiT.Create();
        using var g = new Generator(31);
        using var denoiser = new MaskedUncertaintyDenoiser(dit, new EdmPreconditioning(), g, channels: 16);
        var loss = new Edm2Loss(denoiser);
        using var scope = new TensorScope();
        Tensor images = Tensor.Randn([3, 1, 8, 8], g).RequiresGradInPlace();
        Tensor kept = TokenMasks.Draw(new TokenMaskOptions { Kind = TokenMaskKind.Blocks, Ratio = 0.5, BlockSize = 2 }, 3, 4, g);
        Tensor mask = TokenMasks.ElementMask(kept, 4, 2);
        using var step = new TrainingStep(3, 0, [0, 1, 2]);
        NoiseDraw draw = loss.Draw([3, 1, 8, 8], step);

        loss.Compute(images, draw, Conditioning.None.With(MaskedTokenNetwork.KeptTokensKey, kept), mask).Sum().Backward();

        images.Grad!.Mul(mask.RSub(1.0)).Abs().Max().ToDouble().Should().Be(0);
        images.Grad!.Mul(mask).Abs().Sum().ToDouble().Should().BeGreaterThan(0);
        denoiser.NamedParameters().Single(p => p.Key == "logvar_linear.weight").Value.Grad!.Abs().Sum().ToDouble().Should().BeGreaterThan(0);
        denoiser.StateDict().Keys.Should().Contain(["net.pos_embed", "logvar_fourier.freqs", "logvar_fourier.phases", "logvar_linear.weight"]);
    }

    [Fact]
    public void The_trainer_runs_both_stages_with_it()
    {
        using DiffusionTransformer dit = TinyDiT.Create();
        using var g = new Generator(32);
        using var denoiser = new MaskedUncertaintyDenoiser(dit, new EdmPreconditioning(), g, channels: 16);
        using var data = new InMemoryDataset(16, 1, 8, 5);
        var options = new TrainingOptions
        {
            RunDirectory = _dir.Sub("run"), Seed = 1, TotalImages = 16, BatchSize = 4, LearningRate = 1e-3,
            LearningRateSchedule = LearningRateScheduleKind.Constant, Precision = ComputePrecision.Float32,
            MaskedPretraining = new MaskedPretrainingOptions { Mask = new TokenMaskOptions { Kind = TokenMaskKind.RandomPatches, Ratio = 0.75 }, PretrainImages = 8 },
        };
        using var trainer = new DiffusionTrainer(denoiser, new Edm2Loss(denoiser), data, options);
        trainer.Run().Completed.Should().BeTrue();
        using var scope = new TensorScope();
        denoiser.NamedParameters().Single(p => p.Key == "logvar_linear.weight").Value.Abs().Sum().ToDouble().Should().BeGreaterThan(0);
    }
}
