using System.Diagnostics;
using System.Globalization;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Optim;
using Xunit.Abstractions;

namespace DiffusionCore.Torch.Tests.Nn;

/// <summary>Tests that count process-wide native tensors: they must not run beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCounters
{
    public const string Name = "Process-wide native counters";
}

[Collection(ProcessWideCounters.Name)]
public class TrainingLeakTests(ITestOutputHelper output)
{
    private const int Steps = 2000;
    private const int RssReferenceStep = 200;

    /// <summary>Resident set size of this process in KiB, from /proc/self/status (Process.WorkingSet64 elsewhere).</summary>
    private static long RssKiB()
    {
        const string path = "/proc/self/status";
        if (File.Exists(path))
        {
            foreach (string line in File.ReadLines(path))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }

        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64 / 1024;
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void A_2000_step_conv_training_loop_keeps_native_tensors_and_rss_flat()
    {
        // Let finalizers of tensors other tests dropped run now, not during the count.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        using var g = new Generator(2024);
        using var net = new Sequential(new Conv2d(1, 8, 3, padding: 1, generator: g), new Silu(), new Conv2d(8, 1, 3, padding: 1, generator: g));
        using var adam = new Adam(net.Parameters(), new AdamOptions { LearningRate = 1e-3 });
        long baseline = -1;
        long rssAtReference = 0;
        double firstLoss = 0, lastLoss = 0;
        var clock = Stopwatch.StartNew();
        for (int step = 1; step <= Steps; step++)
        {
            using (var scope = new TensorScope())
            {
                Tensor clean = Tensor.Randn([8, 1, 16, 16], g);
                Tensor noisy = clean + Tensor.Randn([8, 1, 16, 16], g) * 0.5;
                adam.ZeroGrad();
                Tensor loss = Functional.MseLoss(net.Forward(noisy), clean);
                loss.Backward();
                GradientUtils.ClipGradNorm(net.Parameters(), 10);
                adam.Step();
                lastLoss = loss.ToDouble();
                if (step == 1) firstLoss = lastLoss;
            }

            long live = Torch.LiveTensorCount;
            if (step == 1)
            {
                // Adam creates its state on the first step; from then on every step must return to this count.
                baseline = live;
            }
            else if (live != baseline)
            {
                Assert.Fail($"Step {step}: {live} live native tensors, expected the baseline {baseline}.");
            }

            if (step == RssReferenceStep)
            {
                rssAtReference = RssKiB();
            }
        }

        long rssAtEnd = RssKiB();
        double change = 100.0 * (rssAtEnd - rssAtReference) / rssAtReference;
        output.WriteLine(FormattableString.Invariant(
            $"steps={Steps} live tensors={baseline} rss@{RssReferenceStep}={rssAtReference} KiB rss@{Steps}={rssAtEnd} KiB ({change:+0.0;-0.0}%) loss {firstLoss:F4} -> {lastLoss:F4} in {clock.Elapsed.TotalSeconds:F1} s"));
        ((double)rssAtEnd).Should().BeInRange(0.9 * rssAtReference, 1.1 * rssAtReference);
        lastLoss.Should().BeLessThan(firstLoss);
    }
}
