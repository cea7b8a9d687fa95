using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Memory;

/// <summary>
/// The counting CPU allocator: a tensor's storage is counted at its size (plus at most the C library's rounding) while
/// it lives and uncounted when freed; the peak keeps the high-water mark until reset.
/// </summary>
[Collection(SerialTests.Name)]
public class TensorMemoryTests
{
    private const long Slack = 4096 + 64;

    /// <summary>
    /// Finalises the tensors earlier tests left to the GC, so that the finalizer thread frees none of them while a test
    /// compares the process-wide counts.
    /// </summary>
    public TensorMemoryTests()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    [Fact]
    public void Is_installed_on_glibc_linux()
    {
        bool musl = Directory.Exists("/lib") && Directory.GetFiles("/lib", "ld-musl-*").Length > 0;
        TensorMemory.IsCpuCounted.Should().Be(OperatingSystem.IsLinux() && !musl && Environment.GetEnvironmentVariable("DIFFUSIONCORE_MEMORY_COUNTER") != "0");
    }

    [Theory]
    [InlineData(1_000_000, DType.Float32)]
    [InlineData(12_345, DType.Float64)]
    [InlineData(3, DType.UInt8)]
    public void A_tensor_is_counted_while_it_lives(long numel, DType dtype)
    {
        long bytes = numel * dtype.ElementSize();
        CpuTensorMemory before = TensorMemory.ReadCpu();
        Tensor t = Tensor.Zeros([numel], dtype);
        CpuTensorMemory during = TensorMemory.ReadCpu();
        (during.AllocatedBytes - before.AllocatedBytes).Should().BeInRange(bytes, bytes + Slack);
        (during.Allocations - before.Allocations).Should().Be(1);
        t.Dispose();
        TensorMemory.ReadCpu().AllocatedBytes.Should().Be(before.AllocatedBytes);
    }

    [Fact]
    public void Views_and_aliases_share_the_storage()
    {
        using var t = Tensor.Zeros([1000]);
        CpuTensorMemory before = TensorMemory.ReadCpu();
        using (var scope = new TensorScope())
        {
            t.Narrow(0, 10, 100).View([10, 10]);
            t.Alias();
        }

        CpuTensorMemory after = TensorMemory.ReadCpu();
        after.AllocatedBytes.Should().Be(before.AllocatedBytes);
        after.Allocations.Should().Be(before.Allocations);
    }

    [Fact]
    public void The_peak_keeps_the_high_water_mark_until_reset()
    {
        TensorMemory.ResetCpuPeak();
        CpuTensorMemory start = TensorMemory.ReadCpu();
        start.PeakAllocatedBytes.Should().Be(start.AllocatedBytes);
        using (var scope = new TensorScope())
        {
            Tensor.Zeros([3, 250_000]);
            Tensor.Zeros([250_000]);
        }

        CpuTensorMemory after = TensorMemory.ReadCpu();
        after.AllocatedBytes.Should().Be(start.AllocatedBytes);
        (after.PeakAllocatedBytes - start.AllocatedBytes).Should().BeInRange(4_000_000, 4_000_000 + (2 * Slack));
        TensorMemory.ResetCpuPeak();
        TensorMemory.ReadCpu().PeakAllocatedBytes.Should().Be(after.AllocatedBytes);
    }

    [Fact]
    public void MeasureCpuPeak_is_the_working_set_of_the_action()
    {
        using var x = Tensor.Ones([500_000]);
        // (x + 1) * 2 holds x + 1 (2 MB) while it makes the product (2 MB): 4 MB at the peak; the result is freed.
        long peak = TensorMemory.MeasureCpuPeak(() =>
        {
            using var scope = new TensorScope();
            _ = x.Add(1.0).Mul(2.0);
        });
        peak.Should().BeInRange(4_000_000, 4_000_000 + (2 * Slack));

        long inPlace = TensorMemory.MeasureCpuPeak(() =>
        {
            using var scope = new TensorScope();
            _ = x.Add(1.0).MulInPlace(2.0);
        });
        inPlace.Should().BeInRange(2_000_000, 2_000_000 + Slack);
    }
}
