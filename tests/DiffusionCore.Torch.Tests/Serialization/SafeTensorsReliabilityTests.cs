using System.Runtime.InteropServices;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Serialization;

/// <summary>
/// Issue 16, items 1 and 14: reading never maps the file (a concurrent rewrite cannot kill the process), and only
/// regular files are opened (a directory is named as such, a pipe cannot block).
/// </summary>
public sealed partial class SafeTensorsReliabilityTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MakeFifo(string path, uint mode);

    [Fact]
    public void A_file_rewritten_in_place_while_it_loads_gives_typed_exceptions_not_SIGBUS()
    {
        CrashProbeResult result = CrashProbeProcess.Run("load-while-rewritten");
        result.ExitCode.Should().Be(0, $"a load may fail with SafeTensorsFormatException or IOException, nothing else ({result})");
        result.Output.Should().StartWith("ok:");
    }

    [Fact]
    public void A_directory_is_refused_as_not_a_file()
    {
        Action load = () => SafeTensors.Load(_dir.Path);
        load.Should().Throw<SafeTensorsFormatException>()
            .WithMessage($"Invalid safetensors file '{_dir.Path}': it is a directory, not a file; pass the path of a .safetensors file");
    }

    [Fact]
    public async Task A_named_pipe_is_refused_without_blocking()
    {
        string fifo = _dir.File("model.safetensors");
        MakeFifo(fifo, Convert.ToUInt32("600", 8)).Should().Be(0, "mkfifo must succeed in a temp folder");
        Task<Exception?> load = Task.Run<Exception?>(() => Record.Exception(() => SafeTensors.Load(fifo)));
        bool finished = await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(10))) == load;
        if (!finished)
        {
            // Release the blocked reader (opening the write end lets its open return) before failing.
            await using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
            await load;
        }

        finished.Should().BeTrue("opening a pipe for reading blocks until a writer comes; Load must not open it");
        (await load).Should().BeOfType<SafeTensorsFormatException>()
            .Which.Message.Should().Contain("has 0 bytes").And.Contain("not a regular file: a pipe or device has no length");
    }

    [Fact]
    public void An_empty_file_is_refused_before_it_is_opened()
    {
        string empty = _dir.File("empty.safetensors");
        File.WriteAllBytes(empty, []);
        Action load = () => SafeTensors.Load(empty);
        load.Should().Throw<SafeTensorsFormatException>().WithMessage("*the file has 0 bytes, fewer than the 8-byte header length*");
    }

    [Fact]
    public void A_missing_file_is_still_FileNotFoundException() =>
        FluentActions.Invoking(() => SafeTensors.Load(_dir.File("missing.safetensors"))).Should().Throw<FileNotFoundException>();
}
