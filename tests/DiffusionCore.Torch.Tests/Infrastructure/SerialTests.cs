namespace DiffusionCore.Torch.Tests.Infrastructure;

/// <summary>
/// Tests that read or change process-wide state (Torch.LiveTensorCount, Torch.NumThreads, Generator.Default,
/// environment variables) run in this collection, alone and after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTests
{
    public const string Name = "Process-wide libtorch state";
}
