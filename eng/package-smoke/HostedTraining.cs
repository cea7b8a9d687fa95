using DiffusionCore.Data;
using DiffusionCore.Hosting;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Sampling;
using DiffusionCore.Torch;
using DiffusionCore.Training;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HostingExample;

/// <summary>Trains an EDM2 UNet on a folder of images in a .NET generic host (docs/hosting.md).</summary>
public static class HostedTraining
{
    /// <summary>
    /// Trains until <paramref name="totalImages"/> images have been seen, or until <paramref name="stop"/> fires or the
    /// process gets Ctrl+C / SIGTERM: then the current step finishes, a checkpoint is written, and the next call resumes.
    /// </summary>
    public static async Task<TrainingResult> RunAsync(string imageFolder, string runDirectory, long totalImages, int resolution, CancellationToken stop = default)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Information);

        // What to train: built once, when the host first resolves the trainer; the container disposes it.
        builder.Services.AddDiffusionTraining(_ =>
        {
            ImageFolderDataset data = ImageFolderDataset.Load(new ImageFolderOptions { Root = imageFolder, Resolution = resolution, Channels = 1 });
            using var init = new Generator(seed: 7);
            var network = new Edm2Denoiser(new Edm2UNetOptions
            {
                ImgResolution = resolution,
                ImgChannels = 1,
                LabelDim = 0,
                ModelChannels = 16,
                ChannelMult = [1, 2],
                NumBlocks = 1,
                AttentionResolutions = [],
                ChannelsPerHead = 16,
                LogVarianceChannels = 16,
            }, init);
            return new TrainingComponents(network, new Edm2Loss(network), data, PowerEmaTracker.CreateSet(network));
        })
        // How to train: validated when the host starts (ValidateOnStart), every problem listed.
        .Configure(o =>
        {
            o.RunDirectory = runDirectory;
            o.TotalImages = totalImages;
            o.BatchSize = 16;
            o.LearningRate = 0.01;
            o.LearningRateSchedule = LearningRateScheduleKind.Constant;
            o.CheckpointIntervalImages = 64;
        });

        // Run it: on a dedicated thread, stopped at a step boundary with a checkpoint when the host stops.
        builder.Services.AddDiffusionTrainingService();

        // A sampler for later use by other services (it logs its steps at Debug, each run at Information).
        builder.Services.AddDiffusionSampler(new HeunOptions(), o => new HeunSampler(o));

        // Optional: the libtorch thread count (default: the cores available to the process, logged at start).
        builder.Services.AddDiffusionCore().Configure(o => o.IntraOpThreads = Environment.ProcessorCount);

        using IHost host = builder.Build();
        DiffusionTrainingService training = host.Services.GetRequiredService<DiffusionTrainingService>();
        await host.RunAsync(stop).ConfigureAwait(false);   // returns when training ends or the host is stopped
        return await training.Completion.ConfigureAwait(false);
    }
}
