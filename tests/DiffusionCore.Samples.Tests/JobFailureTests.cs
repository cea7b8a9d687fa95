using System.CommandLine;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Samples.FashionMnist;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiffusionCore.Samples.Tests;

/// <summary>
/// The Fashion-MNIST job's entry (the real job, in process) on run directories it cannot use: a library exception must
/// end in its message on standard error and exit code 1, never an unhandled exception or an abort.
/// </summary>
public sealed class JobFailureTests : IDisposable
{
    private readonly string _run = Directory.CreateTempSubdirectory("dc-job-").FullName;

    public void Dispose() => Directory.Delete(_run, true);

    [Fact]
    public void A_run_whose_only_checkpoint_is_truncated_exits_1_with_the_message()
    {
        // TrainingRun skips a corrupt checkpoint (with a warning) for an older valid one; with none left the job has no
        // weights to sample from, and says so.
        // A safetensors header that promises 4096 bytes of JSON, cut off after 10: what a killed copy leaves.
        byte[] truncated = [0x00, 0x10, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'"'];
        string checkpoint = Path.Combine(_run, "training-state-000000032.safetensors");
        File.WriteAllBytes(checkpoint, truncated);

        (int exit, string error) = RunJob("sample", "--run", _run, "--channels", "16", "--blocks", "1");

        exit.Should().Be(CommandLineApp.FailureExitCode);
        error.Should().StartWith($"error: No trained weights in {_run}");
        error.Should().NotContain("Unhandled exception").And.NotContain("   at ");
    }

    [Fact]
    public void A_run_directory_without_weights_exits_1_with_the_message()
    {
        (int exit, string error) = RunJob("sample", "--run", _run, "--channels", "16", "--blocks", "1");

        exit.Should().Be(CommandLineApp.FailureExitCode);
        error.Should().Be($"error: No trained weights in {_run}: run `main.sh train` (and `main.sh posthoc`) first.{Environment.NewLine}");
    }

    [Fact]
    public void Minutes_too_short_for_sampling_and_a_minute_of_training_exit_1_before_training()
    {
        (int exit, string error) = RunJob("run", "--run", _run, "--channels", "16", "--minutes", "0.5", "--sample-batch", "16");

        exit.Should().Be(CommandLineApp.FailureExitCode);
        error.Should().StartWith("error: --minutes 0.5 is too short").And.Contain("Give at least --minutes ");
        Directory.EnumerateFileSystemEntries(_run).Should().BeEmpty("nothing is trained or written");
    }

    [Fact]
    public void Each_inner_cause_is_printed_on_its_own_line()
    {
        (int exit, string error) = Run(
            JobCommandLine.Create((_, _) => throw new InvalidOperationException("Cannot resume.", new IOException("Disk gone."))), "train");

        exit.Should().Be(CommandLineApp.FailureExitCode);
        error.Should().Be($"error: Cannot resume.{Environment.NewLine}  caused by: Disk gone.{Environment.NewLine}");
    }

    private static (int Exit, string Error) RunJob(params string[] args) =>
        Run(JobCommandLine.Create(new FashionMnistJob(NullLoggerFactory.Instance).Run), args);

    private static (int Exit, string Error) Run(RootCommand root, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = CommandLineApp.Run(root, args, new InvocationConfiguration { Output = output, Error = error });
        return (exit, error.ToString());
    }
}
