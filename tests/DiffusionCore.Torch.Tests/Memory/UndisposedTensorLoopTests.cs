using System.Globalization;
using System.Text.RegularExpressions;
using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Memory;

/// <summary>
/// Issue 16, item 6: a loop that never disposes its tensors and opens no TensorScope. The GC is told how much native
/// memory such tensors hold, so it collects and the finalizers free them: CPU tensor memory stays bounded. (Run in a child
/// process: the counts are process-wide, and the unbounded failure would take gigabytes.)
/// </summary>
public partial class UndisposedTensorLoopTests
{
    [Fact]
    public void A_loop_without_scopes_or_Dispose_keeps_cpu_tensor_memory_bounded()
    {
        const int Steps = 300;  // 8 MiB of tensors per step: 2400 MiB if nothing were freed
        CrashProbeResult result = CrashProbeProcess.Run("leak-loop", [Steps.ToString(CultureInfo.InvariantCulture)]);
        result.ExitCode.Should().Be(0, result.ToString());
        Match peak = PeakPattern().Match(result.Output);
        peak.Success.Should().BeTrue(result.Output);
        long peakMiB = long.Parse(peak.Groups[1].Value, CultureInfo.InvariantCulture) >> 20;
        peakMiB.Should().BeLessThan(512, $"finalizers must free the undisposed tensors as the loop goes ({result.Output.Trim()})");
    }

    [GeneratedRegex(@"peak (\d+) bytes")]
    private static partial Regex PeakPattern();
}
