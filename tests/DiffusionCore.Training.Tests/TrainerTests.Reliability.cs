using System.Buffers.Binary;
using System.Globalization;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Training.Checkpoints;
using DiffusionCore.Training.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiffusionCore.Training.Tests;

/// <summary>Issue 16, items 8, 11, 12 and 15: corrupt checkpoints fall back, the run directory is checked at start.</summary>
public sealed partial class TrainerTests
{
    /// <summary>Trains to 16 images with checkpoints at 8 and 16; returns the path of the newest.</summary>
    private string TwoCheckpoints()
    {
        TrainingOptions o = Options(_dir.Path, 16);
        o.CheckpointIntervalImages = 8;
        using (Run run = Start(o))
        {
            run.Trainer.Run();
        }

        return Path.Combine(_dir.Path, CheckpointStore.FileName(16));
    }

    /// <summary>Resumes a fresh trainer from the run directory; returns it (ImagesSeen says which checkpoint was used).</summary>
    private Run Resume()
    {
        TrainingOptions o = Options(_dir.Path, 16);
        Run resumed = Start(o);
        resumed.Trainer.TryResume().Should().BeTrue();
        return resumed;
    }

    /// <summary>Rewrites a checkpoint as an older DiffusionCore (no checksums) would have, with changed metadata or tensors.</summary>
    private static void Rewrite(string path, Action<Dictionary<string, string>, Dictionary<string, Tensor>> change)
    {
        using var scope = new TensorScope();
        SafeTensorsContents contents = SafeTensors.Load(path);
        var metadata = contents.Metadata.Where(kv => kv.Key != SafeTensors.ChecksumKey).ToDictionary(kv => kv.Key, kv => kv.Value);
        var tensors = contents.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
        change(metadata, tensors);
        SafeTensors.Save(path, tensors, metadata);
    }

    private static void ShouldWarnAbout(Run run, string path, string problem) =>
        run.Log.Entries.Should().Contain(e => e.Level == LogLevel.Warning
            && e.Message.Contains(path, StringComparison.Ordinal) && e.Message.Contains(problem, StringComparison.Ordinal));

    [Theory]
    [InlineData("64 bytes of 0xFF")]
    [InlineData("one flipped exponent bit")]
    public void A_checkpoint_with_corrupted_tensor_bytes_is_skipped_for_the_previous_one(string damage)
    {
        using var scope = new TensorScope();
        string newest = TwoCheckpoints();
        byte[] bytes = File.ReadAllBytes(newest);
        long dataStart = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        int at = (int)(dataStart + ((bytes.Length - dataStart) / 2 / 4 * 4));
        if (damage.StartsWith("64", StringComparison.Ordinal)) bytes.AsSpan(at, 64).Fill(0xFF);
        else bytes[at + 3] ^= 0x40;
        File.WriteAllBytes(newest, bytes);

        using Run resumed = Resume();
        resumed.Trainer.ImagesSeen.Should().Be(8, "the damaged newest checkpoint must not be used");
        ShouldWarnAbout(resumed, newest, "do not match the checksum");
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("9e22")]
    [InlineData("99999999999999999999999")]
    [InlineData("-16")]
    public void A_checkpoint_whose_images_seen_does_not_parse_is_skipped_naming_the_file(string imagesSeen)
    {
        using var scope = new TensorScope();
        string newest = TwoCheckpoints();
        Rewrite(newest, (metadata, _) => metadata[TrainingStateKeys.ImagesSeen] = imagesSeen);

        using Run resumed = Resume();
        resumed.Trainer.ImagesSeen.Should().Be(8);
        ShouldWarnAbout(resumed, newest, $"The checkpoint '{newest}' is corrupt: its 'images_seen' metadata entry is '{imagesSeen}'");
    }

    [Fact]
    public void A_checkpoint_written_without_checksums_still_resumes()
    {
        using var scope = new TensorScope();
        string newest = TwoCheckpoints();
        Rewrite(newest, (_, _) => { });
        using (SafeTensorsFile file = SafeTensorsFile.Open(newest)) file.HasChecksums.Should().BeFalse();

        using Run resumed = Resume();
        resumed.Trainer.ImagesSeen.Should().Be(16);
    }

    [Fact]
    public void Checkpoints_record_the_thread_count_and_a_resume_with_another_count_is_warned_about()
    {
        using var scope = new TensorScope();
        string newest = TwoCheckpoints();
        using (SafeTensorsFile file = SafeTensorsFile.Open(newest))
        {
            file.HasChecksums.Should().BeTrue();
            file.Metadata[TrainingStateKeys.IntraOpThreads].Should().Be(DiffusionCore.Torch.Torch.NumThreads.ToString(CultureInfo.InvariantCulture));
        }

        using (Run same = Resume())
        {
            same.Log.Entries.Should().NotContain(e => e.Message.Contains("intra-op thread", StringComparison.Ordinal));
        }

        int other = DiffusionCore.Torch.Torch.NumThreads + 3;
        Rewrite(newest, (metadata, _) => metadata[TrainingStateKeys.IntraOpThreads] = other.ToString(CultureInfo.InvariantCulture));
        using Run resumed = Resume();
        resumed.Trainer.ImagesSeen.Should().Be(16, "a different thread count is not an error");
        ShouldWarnAbout(resumed, newest, $"was written with {other} intra-op thread(s) and this process uses {DiffusionCore.Torch.Torch.NumThreads}");
    }

    [Fact]
    public void A_run_directory_that_is_a_file_is_rejected_with_the_options()
    {
        string file = _dir.Sub("not-a-directory");
        File.WriteAllText(file, "x");
        Action start = () => Start(Options(file, 16)).Dispose();
        start.Should().Throw<OptionsValidationException>().WithMessage($"*RunDirectory '{file}' is a file*");
    }

    [Fact]
    public void A_run_directory_that_cannot_be_written_fails_before_the_first_step()
    {
        // /proc refuses new entries even to root, so this holds whoever runs the tests.
        string unwritable = Path.Combine("/proc", "dc-run-" + Guid.NewGuid().ToString("N"));
        using var scope = new TensorScope();
        using Run run = Start(Options(unwritable, 16));
        Action train = () => run.Trainer.Run();
        train.Should().Throw<IOException>().WithMessage($"The run directory '{unwritable}' cannot hold checkpoints: *Choose a writable directory (RunDirectory)*");
        run.Trainer.ImagesSeen.Should().Be(0, "nothing is trained before the directory is known to work");
    }

    [Fact]
    public void Temporary_files_of_killed_checkpoint_writes_are_deleted_at_start_but_not_one_being_written()
    {
        using var scope = new TensorScope();
        string stale = Path.Combine(_dir.Path, $".{CheckpointStore.FileName(24)}.0123456789abcdef.tmp");
        string live = Path.Combine(_dir.Path, $".{CheckpointStore.FileName(32)}.fedcba9876543210.tmp");
        File.WriteAllBytes(stale, new byte[1024]);
        using (var writer = new FileStream(live, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            writer.Write(new byte[16]);
            new CheckpointStore(_dir.Path, logger: new ListLogger<CheckpointStore>()).PrepareDirectory();
            File.Exists(stale).Should().BeFalse("no process holds it: its writer was killed");
            File.Exists(live).Should().BeTrue("its writer still holds it open");
        }

        using Run run = Start(Options(_dir.Path, 4));
        run.Trainer.Run();
        File.Exists(live).Should().BeFalse("once closed it is stale too, and Run cleans it");
        run.Log.Entries.Should().Contain(e => e.Message.Contains(live, StringComparison.Ordinal) && e.Message.Contains("did not finish", StringComparison.Ordinal));
    }
}
