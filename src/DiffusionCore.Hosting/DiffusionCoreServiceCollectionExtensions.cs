using DiffusionCore.Sampling;
using DiffusionCore.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiffusionCore.Hosting;

/// <summary>
/// Registers DiffusionCore with a Microsoft.Extensions service collection (docs/hosting.md): options as
/// <see cref="IOptions{TOptions}"/> validated when the host starts (<c>ValidateOnStart</c>), the trainer, samplers that
/// log through <see cref="ILogger"/>, the thread count, and the training <see cref="BackgroundService"/>.
/// </summary>
public static class DiffusionCoreServiceCollectionExtensions
{
    /// <summary>Category of the samplers' log messages.</summary>
    public const string SamplingLogCategory = "DiffusionCore.Sampling";

    /// <summary>
    /// Registers <see cref="DiffusionCoreOptions"/> (validated on start) and the startup step that loads libtorch,
    /// applies <see cref="DiffusionCoreOptions.IntraOpThreads"/> and logs the libtorch version and thread count once.
    /// Safe to call more than once; the other methods here call it.
    /// </summary>
    /// <returns>The options builder, to configure or bind the options.</returns>
    public static OptionsBuilder<DiffusionCoreOptions> AddDiffusionCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiffusionCoreOptions>, DiffusionCoreOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TorchStartup>());
        return services.AddOptions<DiffusionCoreOptions>().ValidateOnStart();
    }

    /// <summary>
    /// Registers <see cref="TrainingOptions"/> (validated by <see cref="TrainingOptionsValidator"/> on start, every
    /// problem listed), the components built by <paramref name="components"/>, and a singleton
    /// <see cref="DiffusionTrainer"/> built from them with <see cref="IOptions{TOptions}"/> and
    /// <see cref="ILogger{TCategoryName}"/>. Configure the options on the returned builder
    /// (<c>.Configure(o =&gt; …)</c>, or <c>.Bind(configuration.GetSection("Training"))</c> with
    /// Microsoft.Extensions.Options.ConfigurationExtensions).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="components">Builds the network, loss, dataset and EMA trackers, once, when the trainer is first resolved.</param>
    /// <returns>The options builder of <see cref="TrainingOptions"/>.</returns>
    public static OptionsBuilder<TrainingOptions> AddDiffusionTraining(this IServiceCollection services, Func<IServiceProvider, TrainingComponents> components)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(components);
        services.AddDiffusionCore();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrainingOptions>, TrainingOptionsValidator>());
        services.AddSingleton(components);
        services.AddSingleton(sp =>
        {
            TrainingComponents c = sp.GetRequiredService<TrainingComponents>();
            return new DiffusionTrainer(c.Network, c.Loss, c.Dataset, sp.GetRequiredService<IOptions<TrainingOptions>>(), c.EmaTrackers,
                sp.GetService<ILogger<DiffusionTrainer>>());
        });
        return services.AddOptions<TrainingOptions>().ValidateOnStart();
    }

    /// <summary>
    /// Registers <see cref="DiffusionTrainingService"/>, which runs the registered <see cref="DiffusionTrainer"/> on a
    /// dedicated thread when the host starts and stops it at a step boundary, with a checkpoint, when the host stops.
    /// An <see cref="IProgress{T}"/> of <see cref="TrainingProgress"/> in the container receives every step.
    /// </summary>
    /// <returns>The options builder of <see cref="TrainingServiceOptions"/>.</returns>
    public static OptionsBuilder<TrainingServiceOptions> AddDiffusionTrainingService(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddDiffusionCore();
        services.TryAddSingleton<DiffusionTrainingService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DiffusionTrainingService>(sp => sp.GetRequiredService<DiffusionTrainingService>()));
        return services.AddOptions<TrainingServiceOptions>();
    }

    /// <summary>
    /// Registers <paramref name="options"/> as <see cref="IOptions{TOptions}"/> (validated on start by
    /// <see cref="SamplerOptions.Validate"/>) and a singleton <see cref="ISampler"/> created from them by
    /// <paramref name="create"/> that logs under <see cref="SamplingLogCategory"/> (<see cref="LoggingSampler"/>: steps at
    /// Debug, runs at Information). Samplers are stateless, so one instance serves every caller.
    /// </summary>
    /// <typeparam name="TOptions">The sampler's options type (e.g. <see cref="HeunOptions"/>).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="options">The options (immutable records, so given whole).</param>
    /// <param name="create">Creates the sampler, e.g. <c>o =&gt; new HeunSampler(o)</c>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddDiffusionSampler<TOptions>(this IServiceCollection services, TOptions options, Func<TOptions, ISampler> create)
        where TOptions : SamplerOptions
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(create);
        services.AddDiffusionCore();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, SamplerOptionsValidator<TOptions>>());
        services.AddSingleton<IOptionsFactory<TOptions>>(sp => new InstanceOptionsFactory<TOptions>(options, sp.GetServices<IValidateOptions<TOptions>>()));
        services.AddOptions<TOptions>().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            ISampler sampler = create(sp.GetRequiredService<IOptions<TOptions>>().Value);
            ILoggerFactory? loggers = sp.GetService<ILoggerFactory>();
            return sampler.WithLogging(loggers?.CreateLogger(SamplingLogCategory));
        });
        return services;
    }
}
