using DiffusionCore.Torch;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiffusionCore.Hosting;

/// <summary>
/// Runs first among DiffusionCore's hosted services: loads libtorch (a missing shim fails the start with
/// <see cref="TorchLibraryLoadException"/>), applies <see cref="DiffusionCoreOptions.IntraOpThreads"/> and logs the
/// libtorch version and thread count once.
/// </summary>
internal sealed partial class TorchStartup(IOptions<DiffusionCoreOptions> options, ILogger<TorchStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Torch.Torch.EnsureLoaded();
        if (options.Value.IntraOpThreads is int threads) Torch.Torch.NumThreads = threads;
        string described = IntraOpThreads.Describe();
        Started(logger, Torch.Torch.Version, described);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "libtorch {Version} runs {Threads}")]
    private static partial void Started(ILogger logger, string version, string threads);
}
