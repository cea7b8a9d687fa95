using DiffusionCore.Networks.DiT;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Masking;
using DiffusionCore.Training.Tests.Support;
using Microsoft.Extensions.Options;

namespace DiffusionCore.Training.Tests.Masking;

/// <summary>MaskDM's two stages as one run (Lei et al. 2023, §3): masked pre-training, then fine-tuning with a fresh optimizer; checkpoints and resume across the switch.</summary>
public sealed class MaskedPretrainingTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly InMemoryDataset _data = new(24, 1, 8, 99);

    public void Dispose()
    {
        _data.Dispose();
        _dir.Dispose();
    }

    private static TrainingOptions Options(string dir, long pretrain = 16, double ratio = 0.75, int block = 2) => new()
    {
        RunDirectory = dir,
        Seed = 77,
        TotalImages = 32,
        BatchSize = 4,
        LearningRate = 1e-3,
        LearningRateSchedule = LearningRateScheduleKind.Constant,
        Precision = ComputePrecision.Float32,
        KeepCheckpoints = 10,
        MaskedPretraining = new MaskedPretrainingOptions
        {
            Mask = new TokenMaskOptions { Kind = TokenMaskKind.Blocks, Ratio = ratio, BlockSize = block },
            PretrainImages = pretrain,
        },
    };

    private DiffusionTrainer Trainer(DiffusionTransformer dit, TrainingOptions options, out MaskedTokenNetwork network)
    {
        network = new MaskedTokenNetwork(dit);
        return new DiffusionTrainer(dit, new DdpmEpsilonLoss(network, DiscreteSchedule.Linear()), _data, options);
    }

    private static float[] Weights(DiffusionTransformer dit)
    {
        using var scope = new TensorScope();
        return dit.Parameters().SelectMany(p => p.Contiguous().ToArray<float>()).ToArray();
    }

    [Fact]
    public void Pretraining_runs_masked_then_fine_tuning_starts_a_fresh_optimizer_and_a_checkpoint_marks_the_switch()
    {
        using DiffusionTransformer dit = TinyDiT.Create();
        using DiffusionTrainer trainer = Trainer(dit, Options(_dir.Sub("run")), out MaskedTokenNetwork network);
        trainer.Run();

        network.KeptForwardCount.Should().Be(4, "the 4 steps before 16 images are masked");
        trainer.IsMaskedStep(12).Should().BeTrue();
        trainer.IsMaskedStep(16).Should().BeFalse();
        trainer.Checkpoints.List().Select(c => c.ImagesSeen).Should().Contain([16L, 32L]);
        trainer.Optimizer.StateDict().Metadata.Where(kv => kv.Key.EndsWith(".step", StringComparison.Ordinal))
            .Select(kv => kv.Value).Distinct().Should().Equal(["4"], "the fine-tuning optimizer has taken 4 steps, not 8");
    }

    [Theory]
    [InlineData(12)]   // inside pre-training
    [InlineData(16)]   // exactly at the switch
    [InlineData(24)]   // inside fine-tuning
    public void A_run_resumed_anywhere_across_the_switch_matches_an_uninterrupted_one_bit_for_bit(long stopAt)
    {
        float[] expected;
        using (DiffusionTransformer dit = TinyDiT.Create())
        using (DiffusionTrainer trainer = Trainer(dit, Options(_dir.Sub("whole")), out _))
        {
            trainer.Run();
            expected = Weights(dit);
        }

        using (DiffusionTransformer dit = TinyDiT.Create())
        using (DiffusionTrainer trainer = Trainer(dit, Options(_dir.Sub("split")), out _))
        {
            using var cts = new CancellationTokenSource();
            trainer.Run(new Sampling.SynchronousProgress<TrainingProgress>(p => { if (p.ImagesSeen >= stopAt) cts.Cancel(); }), cts.Token)
                .Completed.Should().BeFalse();
        }

        using (DiffusionTransformer dit = TinyDiT.Create(seed: 99))   // other initial weights: everything must come from the checkpoint
        using (DiffusionTrainer trainer = Trainer(dit, Options(_dir.Sub("split")), out _))
        {
            trainer.Run().ResumedFromImages.Should().Be(stopAt);
            Weights(dit).Should().Equal(expected);
        }
    }

    [Fact]
    public void Zero_ratio_masked_pretraining_trains_exactly_like_no_masking()
    {
        float[] plain, masked;
        TrainingOptions off = Options(_dir.Sub("plain"));
        off.MaskedPretraining = null;
        using (DiffusionTransformer dit = TinyDiT.Create())
        using (DiffusionTrainer trainer = Trainer(dit, off, out _))
        {
            trainer.Run();
            plain = Weights(dit);
        }

        TrainingOptions zero = Options(_dir.Sub("zero"), pretrain: 32, ratio: 0);
        using (DiffusionTransformer dit = TinyDiT.Create())
        using (DiffusionTrainer trainer = Trainer(dit, zero, out MaskedTokenNetwork network))
        {
            // A fresh optimizer at the switch would differ; with pre-training over the whole run there is none.
            trainer.Run();
            network.KeptForwardCount.Should().Be(8);
            masked = Weights(dit);
        }

        masked.Should().Equal(plain);
    }

    [Fact]
    public void Bad_masking_options_are_clear_errors()
    {
        using DiffusionTransformer dit = TinyDiT.Create();
        Action ratio = () => Trainer(dit, Options(_dir.Sub("a"), ratio: 1.0), out _).Dispose();
        ratio.Should().Throw<OptionsValidationException>().WithMessage("*MaskedPretraining.Mask ratio is 1*[0, 1)*");
        Action budget = () => Trainer(dit, Options(_dir.Sub("b"), pretrain: 40), out _).Dispose();
        budget.Should().Throw<OptionsValidationException>().WithMessage("*PretrainImages is 40*TotalImages = 32*");
        Action block = () => Trainer(dit, Options(_dir.Sub("c"), block: 3), out _).Dispose();
        block.Should().Throw<ArgumentException>().WithMessage("*BlockSize 3 does not divide the 4×4 token grid*");
        using Networks.Edm2.Edm2Denoiser unet = TinyNetworks.Edm2();
        Action notTokens = () => new DiffusionTrainer(unet, new Edm2Loss(unet), _data, Options(_dir.Sub("d"))).Dispose();
        notTokens.Should().Throw<ArgumentException>().WithMessage("*kept-token forward pass*Edm2Denoiser*");
    }
}
