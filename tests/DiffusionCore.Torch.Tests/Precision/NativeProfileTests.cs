using System.Diagnostics;
using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Precision;

/// <summary>NativeProfile counts one call per outermost shim call on the calling thread, and nothing when disabled.</summary>
[Collection(SerialTests.Name)]
public class NativeProfileTests
{
    [Fact]
    public void Counts_each_shim_call_once_and_native_time_never_exceeds_wall_time()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.Ones([256, 256]);
        try
        {
            NativeProfile.Enabled = true;
            NativeProfile.Read(reset: true);
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < 10; i++)
            {
                using Tensor b = a.MatMul(a); // one call to make it, one to free it
            }

            double wallNs = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            NativeTimeSample s = NativeProfile.Read(reset: true);
            s.Calls.Should().Be(20);
            s.NativeNanoseconds.Should().BePositive().And.BeLessThanOrEqualTo((long)wallNs);
            s.NativeTime.Ticks.Should().Be(s.NativeNanoseconds / 100);
            NativeProfile.Read(reset: false).Calls.Should().Be(0, "the previous read reset the counters");
        }
        finally
        {
            NativeProfile.Enabled = false;
        }

        using (Tensor c = a.Add(a))
        {
        }

        NativeProfile.Read(reset: true).Calls.Should().Be(0, "nothing is counted while disabled");
    }

    [Fact]
    public void Counters_belong_to_the_calling_thread()
    {
        try
        {
            NativeProfile.Enabled = true;
            NativeProfile.Read(reset: true);
            long otherCalls = -1;
            var t = new Thread(() =>
            {
                using var scope = new TensorScope();
                _ = Tensor.Ones([4]).Add(1.0);
                otherCalls = NativeProfile.Read(reset: true).Calls;
            });
            t.Start();
            t.Join();
            otherCalls.Should().BeGreaterThanOrEqualTo(2);
            NativeProfile.Read(reset: true).Calls.Should().Be(0, "the other thread's calls are its own");
        }
        finally
        {
            NativeProfile.Enabled = false;
        }
    }
}
