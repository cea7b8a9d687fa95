using DiffusionCore.Analytic;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using Microsoft.Extensions.Logging;

namespace DiffusionCore.Sampling.Tests;

/// <summary>Issue 18: sampling logs through ILogger — steps and batches at Debug, summaries at Information — without changing a sample.</summary>
public class SamplingLoggingTests
{
    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries) Entries.Add((logLevel, formatter(state, exception)));
        }
    }

    [Fact]
    public void A_logging_sampler_logs_each_step_at_debug_and_the_run_at_information_and_samples_the_same()
    {
        using GaussianMixture m = MixtureFixture.CreateMixture();
        using var scope = new TensorScope();
        double[] sigmas = SigmaSchedules.Karras(4);
        using var g = new Generator(3);
        Tensor x = Tensor.Randn([5, 2], g).MulInPlace(sigmas[0]);
        var log = new ListLogger();
        var steps = new List<int>();
        var plain = new HeunSampler();
        ISampler logged = plain.WithLogging(log);
        logged.WithLogging(log).Should().BeSameAs(logged, "a logging sampler is not wrapped twice");
        plain.WithLogging(null).Should().BeSameAs(plain);

        float[] expected = plain.Sample(m, x, sigmas).Samples.ToArray<float>();
        SamplingResult r = logged.Sample(m, x, sigmas, progress: new SynchronousProgress<SamplerStep>(s => steps.Add(s.Index)));
        r.Samples.ToArray<float>().Should().Equal(expected);
        steps.Should().Equal(0, 1, 2, 3);
        log.Entries.Where(e => e.Level == LogLevel.Debug).Select(e => e.Message).Should().HaveCount(4).And.Contain(s => s.StartsWith("HeunSampler step 1/4", StringComparison.Ordinal));
        log.Entries.Where(e => e.Level == LogLevel.Information).Select(e => e.Message).Should().ContainSingle()
            .Which.Should().StartWith($"HeunSampler sampled 5 image(s) in 4 step(s), {r.FunctionEvaluations} denoiser call(s)");
    }

    [Fact]
    public void Batched_generation_logs_its_plan_each_batch_and_a_summary()
    {
        using GaussianMixture m = MixtureFixture.CreateMixture();
        using var scope = new TensorScope();
        var log = new ListLogger();
        new EulerSampler().Generate(m, [1, 2, 3, 4, 5], [2], SigmaSchedules.Karras(3), batching: new SamplingBatchOptions { BatchSize = 2 }, logger: log);
        log.Entries.Should().Equal(
            (LogLevel.Information, "Generating 5 image(s) with EulerSampler in batches of 2: fixed (SamplingBatchOptions.BatchSize)"),
            (LogLevel.Debug, "2/5 image(s) generated"),
            (LogLevel.Debug, "4/5 image(s) generated"),
            (LogLevel.Debug, "5/5 image(s) generated"),
            log.Entries[^1]);
        log.Entries[^1].Level.Should().Be(LogLevel.Information);
        log.Entries[^1].Message.Should().StartWith("Generated 5 image(s) in ").And.EndWith("3 denoiser call(s) per image)");
    }
}
