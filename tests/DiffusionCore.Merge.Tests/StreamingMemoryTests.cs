using DiffusionCore.Torch;
using Xunit.Abstractions;

namespace DiffusionCore.Merge.Tests;

/// <summary>Tests that read the process-wide CPU tensor memory counts run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCountTests
{
    public const string Name = "Process-wide CPU tensor memory";
}

/// <summary>
/// Merging streams tensor by tensor: combining K checkpoints holds the result (one model) and about one tensor, however
/// large K is, measured with DiffusionCore's counting CPU allocator.
/// </summary>
[Collection(MemoryCountTests.Name)]
public sealed class StreamingMemoryTests : IDisposable
{
    private readonly ITestOutputHelper _output;

    private const int Sources = 8;
    private const int Tensors = 6;
    private const long ElementsPerTensor = 64 * 1024;            // 256 KiB of float32 each
    private const long TensorBytes = ElementsPerTensor * 4;
    private const long ModelBytes = Tensors * TensorBytes;       // 1.5 MiB per model

    private readonly TempFiles _files = new();

    /// <summary>Finalises earlier tests' tensors, so the finalizer thread frees none while the counts are compared.</summary>
    public StreamingMemoryTests(ITestOutputHelper output)
    {
        _output = output;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Merging_eight_checkpoints_holds_about_one_model()
    {
        TensorMemory.IsCpuCounted.Should().BeTrue("the test host is glibc Linux, where CPU tensor memory is counted");
        StateDictSource[] sources = new StateDictSource[Sources];
        using (var scope = new TensorScope())
        {
            using var g = new Generator(1);
            for (int i = 0; i < Sources; i++)
            {
                sources[i] = StateDictSource.FromFile(_files.Write($"model{i}",
                    [.. Enumerable.Range(0, Tensors).Select(t => ($"layer{t}.weight", Tensor.Randn([ElementsPerTensor], g)))]));
            }
        }

        double[] weights = [.. Enumerable.Repeat(1.0 / Sources, Sources)];
        MergedStateDict? result = null;
        long peak = TensorMemory.MeasureCpuPeak(() => result = StateDictArithmetic.WeightedSum(sources, weights));
        using MergedStateDict merged = result!;
        merged.Tensors.Should().HaveCount(Tensors);
        _output.WriteLine($"peak {peak} bytes while merging {Sources} checkpoints of {ModelBytes} bytes ({Sources * ModelBytes} bytes in all)");

        // The result (one model) plus the tensor being read, with a little allocator slack; reading every checkpoint
        // whole would need Sources × ModelBytes = 12 MiB.
        peak.Should().BeGreaterThanOrEqualTo(ModelBytes, "the result itself is one model");
        peak.Should().BeLessThanOrEqualTo(ModelBytes + (2 * TensorBytes) + (64 * 1024), $"streaming holds about one model (peak {peak} bytes)");
    }
}
