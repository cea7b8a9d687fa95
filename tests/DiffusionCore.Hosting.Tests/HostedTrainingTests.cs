using DiffusionCore.Data;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Sampling;
using DiffusionCore.Torch;
using DiffusionCore.Training;
using DiffusionCore.Training.Checkpoints;
using DiffusionCore.Training.Losses;
using HostingExample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiffusionCore.Hosting.Tests;

/// <summary>
/// Issue 18: training in a generic host — the docs example end to end, the dedicated thread, the stop at a step
/// boundary with a checkpoint, options validated on start, and the registered sampler.
/// </summary>
public sealed class HostedTrainingTests : IDisposable
{
    private const int Size = 8;
    private readonly ImageFolder _folder = new(count: 32, size: Size);

    public void Dispose() => _folder.Dispose();

    private static TrainingComponents Tiny(string images)
    {
        ImageFolderDataset data = ImageFolderDataset.Load(new ImageFolderOptions { Root = images, Resolution = Size, Channels = 1 });
        using var init = new Generator(seed: 7);
        var network = new Edm2Denoiser(new Edm2UNetOptions
        {
            ImgResolution = Size, ImgChannels = 1, LabelDim = 0, ModelChannels = 8, ChannelMult = [1, 2], NumBlocks = 1,
            AttentionResolutions = [], ChannelsPerHead = 8, LogVarianceChannels = 16,
        }, init);
        return new TrainingComponents(network, new Edm2Loss(network), data);
    }

    private HostApplicationBuilder Builder(ListLoggerProvider log, string run, long total, Action<TrainingOptions>? more = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddProvider(log).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddDiffusionTraining(_ => Tiny(_folder.Images)).Configure(o =>
        {
            o.RunDirectory = run;
            o.TotalImages = total;
            o.BatchSize = 4;
            o.LearningRateSchedule = LearningRateScheduleKind.Constant;
            o.CheckpointIntervalImages = 8;
            more?.Invoke(o);
        });
        builder.Services.AddDiffusionTrainingService();
        return builder;
    }

    [Fact]
    public async Task The_docs_example_trains_a_folder_of_images_to_the_end_and_resumes_from_its_checkpoint()
    {
        string run = _folder.Run("docs");
        TrainingResult first = await HostedTraining.RunAsync(_folder.Images, run, totalImages: 32, resolution: Size);
        first.Completed.Should().BeTrue();
        first.ImagesSeen.Should().Be(32);
        new CheckpointStore(run).List()[^1].ImagesSeen.Should().Be(32);

        TrainingResult second = await HostedTraining.RunAsync(_folder.Images, run, totalImages: 48, resolution: Size);
        second.ResumedFromImages.Should().Be(32, "a second host resumes from the first one's checkpoint");
        second.ImagesSeen.Should().Be(48);
    }

    [Fact]
    public async Task Training_runs_on_a_dedicated_thread_and_a_host_stop_ends_it_at_a_step_boundary_with_a_checkpoint()
    {
        var log = new ListLoggerProvider();
        string run = _folder.Run("stopped");
        using var stop = new CancellationTokenSource();
        var threads = new List<(string? Name, bool Pool, bool Background)>();
        HostApplicationBuilder builder = Builder(log, run, total: 1_000_000);
        builder.Services.AddSingleton<IProgress<TrainingProgress>>(new SynchronousProgress<TrainingProgress>(p =>
        {
            threads.Add((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.IsBackground));
            if (p.ImagesSeen >= 12) stop.Cancel();
        }));
        using IHost host = builder.Build();
        DiffusionTrainingService service = host.Services.GetRequiredService<DiffusionTrainingService>();
        await host.RunAsync(stop.Token);

        TrainingResult result = await service.Completion;
        result.Completed.Should().BeFalse();
        result.ImagesSeen.Should().BeInRange(12, 16, "the stop takes effect at the next step boundary");
        result.ImagesSeen.Should().Be(result.ImagesSeen / 4 * 4, "whole steps of 4 images");
        result.LastCheckpoint.Should().NotBeNull();
        new CheckpointStore(run).List()[^1].ImagesSeen.Should().Be(result.ImagesSeen);
        threads.Should().NotBeEmpty().And.OnlyContain(t => t.Name == "DiffusionCore training" && !t.Pool && !t.Background);
        log.Messages(LogLevel.Information).Should().Contain(m => m.Contains("intra-op thread(s)", StringComparison.Ordinal))
            .And.Contain(m => m.StartsWith("Training cancelled at", StringComparison.Ordinal))
            .And.Contain(m => m.StartsWith("Training service done at", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_training_options_fail_the_start_with_every_problem()
    {
        var log = new ListLoggerProvider();
        using IHost host = Builder(log, string.Empty, total: 0).Build();
        OptionsValidationException e = (await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>()).Which;
        e.Failures.Should().Contain(f => f.StartsWith("RunDirectory is empty", StringComparison.Ordinal))
            .And.Contain(f => f.StartsWith("TotalImages is 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_sampler_and_thread_options_fail_the_start()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddDiffusionSampler(new HeunOptions { StateDType = DType.Int64 }, o => new HeunSampler(o));
        using (IHost host = builder.Build())
        {
            (await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>())
                .Which.Failures.Should().ContainSingle().Which.Should().StartWith("HeunOptions: StateDType must be Float32 or Float64");
        }

        HostApplicationBuilder threads = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        threads.Services.AddDiffusionCore().Configure(o => o.IntraOpThreads = 0);
        using IHost bad = threads.Build();
        (await FluentActions.Awaiting(() => bad.StartAsync()).Should().ThrowAsync<OptionsValidationException>())
            .Which.Failures.Should().ContainSingle().Which.Should().StartWith("IntraOpThreads is 0");
    }

    [Fact]
    public void A_registered_sampler_has_its_options_and_logs()
    {
        var log = new ListLoggerProvider();
        var options = new HeunOptions { StateDType = DType.Float64 };
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(log).SetMinimumLevel(LogLevel.Debug));
        services.AddDiffusionSampler(options, o => new HeunSampler(o));
        using ServiceProvider provider = services.BuildServiceProvider();
        provider.GetRequiredService<IOptions<HeunOptions>>().Value.Should().BeSameAs(options);
        ISampler sampler = provider.GetRequiredService<ISampler>();
        sampler.Should().BeOfType<LoggingSampler>().Which.Inner.Should().BeOfType<HeunSampler>();
        sampler.Options.Should().BeSameAs(options);

        using var scope = new TensorScope();
        using var g = new Generator(1);
        sampler.Sample(new ZeroDenoiser(), Tensor.Randn([2, 3], g).MulInPlace(10.0), [10.0, 1.0, 0.0]);
        log.Entries.Where(e => e.Category == DiffusionCoreServiceCollectionExtensions.SamplingLogCategory).Select(e => e.Level)
            .Should().Equal(LogLevel.Debug, LogLevel.Debug, LogLevel.Information);
    }

    private sealed class ZeroDenoiser : IDenoiser
    {
        public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning) => x.Mul(0.0);
    }

    [Fact]
    public async Task The_thread_option_is_applied_and_logged_at_start()
    {
        var log = new ListLoggerProvider();
        int current = Torch.Torch.NumThreads;
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddProvider(log);
        builder.Services.AddDiffusionCore().Configure(o => o.IntraOpThreads = current);
        using IHost host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();
        Torch.Torch.NumThreads.Should().Be(current);
        log.Messages(LogLevel.Information).Should().ContainSingle(m => m.Contains("intra-op thread(s)", StringComparison.Ordinal))
            .Which.Should().Contain($"runs {current} intra-op thread(s), set by the application");
    }
}
