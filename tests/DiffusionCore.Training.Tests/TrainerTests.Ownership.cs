using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiffusionCore.Training.Tests;

/// <summary>Issue 18: the trainer disposes the EMA trackers it owns, takes <see cref="IOptions{TOptions}"/>, and logs its thread count.</summary>
public sealed partial class TrainerTests
{
    [Fact]
    public void Disposing_the_trainer_disposes_its_ema_trackers()
    {
        using Edm2Denoiser net = TinyNetworks.Edm2(7);
        IReadOnlyList<PowerEmaTracker> emas = PowerEmaTracker.CreateSet(net);
        var counting = new DisposeCountingTracker();
        using Edm2Denoiser target = TinyNetworks.Edm2(1);
        long before = DiffusionCore.Torch.Torch.LiveTensorCount;
        var trainer = new DiffusionTrainer(net, new Edm2Loss(net), _data, Options(_dir.Sub("owned"), 4), [.. emas, counting]);
        emas[0].CopyTo(target); // usable while the trainer lives
        trainer.Dispose();

        counting.Disposals.Should().Be(1);
        foreach (PowerEmaTracker e in emas)
        {
            FluentActions.Invoking(() => e.CopyTo(target)).Should().Throw<ObjectDisposedException>($"{e.Name} is owned by the trainer");
            e.Dispose(); // a second dispose by the caller (as older code does) is harmless
        }

        DiffusionCore.Torch.Torch.LiveTensorCount.Should().BeLessThan(before, "the averages' native tensors were freed");
    }

    private sealed class DisposeCountingTracker : IEmaTracker
    {
        public int Disposals { get; private set; }

        public string Name => "counting";

        public void Update(DiffusionCore.Torch.Nn.Module network, long imagesSeen, long batchImages)
        {
        }

        public void CopyTo(DiffusionCore.Torch.Nn.Module target) => throw new NotSupportedException();

        public void SaveState(IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata, string prefix)
        {
        }

        public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata, string prefix)
        {
        }

        public void Dispose() => Disposals++;
    }

    [Fact]
    public void The_trainer_takes_options_through_IOptions_and_logs_its_threads()
    {
        using var scope = new TensorScope();
        using Edm2Denoiser net = TinyNetworks.Edm2(7);
        var log = new ListLogger<DiffusionTrainer>();
        using var trainer = new DiffusionTrainer(net, new Edm2Loss(net), _data, Microsoft.Extensions.Options.Options.Create(Options(_dir.Sub("ioptions"), 4)), logger: log);
        trainer.Options.TotalImages.Should().Be(4);
        trainer.Run().Completed.Should().BeTrue();
        log.Entries.Should().Contain(e => e.Level == LogLevel.Information
            && e.Message.Contains($"runs {DiffusionCore.Torch.Torch.NumThreads} intra-op thread(s)", StringComparison.Ordinal));

        TrainingOptions bad = Options(_dir.Sub("bad"), 4);
        bad.BatchSize = 0;
        FluentActions.Invoking(() => new DiffusionTrainer(net, new Edm2Loss(net), _data, Microsoft.Extensions.Options.Options.Create(bad)))
            .Should().Throw<OptionsValidationException>().WithMessage("*BatchSize is 0*");
    }
}
