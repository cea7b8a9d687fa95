namespace DiffusionCore.Benchmarks;

/// <summary>The network the <c>edm2-step</c> runner times (<see cref="Edm2UNetWorkload"/>).</summary>
internal enum BenchNetwork
{
    /// <summary>The benchmark configuration: RGB 32², channels 64, 2 blocks, attention at 16², batch 32.</summary>
    Bench,

    /// <summary>The main job's network: grey 32², 10 classes, channels 32, 1 block, attention at 8², batch 64.</summary>
    Main,
}
