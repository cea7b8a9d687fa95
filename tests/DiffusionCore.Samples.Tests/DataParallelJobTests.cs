using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.CommandLine;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Samples.FashionMnist;
using Xunit.Abstractions;

namespace DiffusionCore.Samples.Tests;

/// <summary>
/// The Fashion-MNIST job data-parallel (docs/distributed.md, "The Fashion-MNIST job"), as separate processes of the
/// real program: <c>--nproc 2</c> against one process, a rank killed mid-training, and an error of every rank.
/// A tiny network (8 channels, fp32, one thread per process) and a budget of a few global batches.
/// </summary>
public sealed class DataParallelJobTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);
    private readonly string _dir = Directory.CreateTempSubdirectory("dc-job-ddp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Dir(string name) => Path.Combine(_dir, name);

    private static string[] Tiny(long images, int batch = 16) =>
        ["--images", Text(images), "--batch", Text(batch), "--channels", "8", "--blocks", "1", "--precision", "fp32", "--threads", "1", "--seed", "3"];

    [Theory]
    [InlineData("train --nproc 4", 0, 4)]
    [InlineData("--nproc 2", 0, 2)]
    [InlineData("train", 0, 1)]
    [InlineData("train --nproc 0", CommandLineApp.UsageErrorExitCode, null)]
    [InlineData("sample --nproc 2", CommandLineApp.UsageErrorExitCode, null)]
    public void Nproc_is_an_option_of_the_commands_that_train(string commandLine, int exit, int? processes)
    {
        var calls = new List<JobOptions>();
        RootCommand root = JobCommandLine.Create((_, o) => { calls.Add(o); return 0; });
        using var quiet = new StringWriter();

        CommandLineApp.Run(root, commandLine.Split(' '), new InvocationConfiguration { Output = quiet, Error = quiet }).Should().Be(exit, quiet.ToString());

        calls.Select(o => (int?)o.Processes).Should().Equal(processes is int n ? [n] : []);
    }

    [SkippableFact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    [Trait(TestCategory.Name, TestCategory.Dataset)]
    public void Nproc_2_trains_like_one_process_and_rank_0_alone_writes()
    {
        FashionMnistData.SkipIfMissing();
        using (JobProcess one = JobProcess.Start(["train", "--run", Dir("one"), .. Tiny(96)]))
        {
            one.WaitForExit(Wait).Should().Be(0, one.Text);
        }

        using JobProcess two = JobProcess.Start(["train", "--nproc", "2", "--run", Dir("two"), .. Tiny(96)]);
        two.WaitForExit(Wait).Should().Be(0, two.Text);

        double[] single = Losses(Dir("one")), parallel = Losses(Dir("two"));
        parallel.Should().HaveCount(6).And.HaveCount(single.Length);
        double largest = parallel.Zip(single, (a, b) => Math.Abs(a - b) / Math.Abs(b)).Max();
        output.WriteLine($"step losses, --nproc 2 vs one process: largest relative difference {largest:G3}; bit for bit {parallel.SequenceEqual(single)}");
        largest.Should().BeLessThanOrEqualTo(1e-6, "the ranks' gradients differ from one process's only in float32 summation order");

        // Rank 0 alone writes: the same checkpoints, snapshots and curves as one process, and only rank 0 logs.
        Names(Dir("two"), "training-state-*.safetensors").Should().Equal(Names(Dir("one"), "training-state-*.safetensors")).And.NotBeEmpty();
        Names(Path.Combine(Dir("two"), "snapshots"), "*").Should().Equal(Names(Path.Combine(Dir("one"), "snapshots"), "*")).And.NotBeEmpty();
        Names(Path.Combine(Dir("two"), "output"), "*").Should().Equal(Names(Path.Combine(Dir("one"), "output"), "*"));
        two.Lines.Should().Contain(l => l.StartsWith("[rank 0] ", StringComparison.Ordinal) && l.Contains("data-parallel: rank 0 of 2", StringComparison.Ordinal));
        two.Lines.Should().NotContain(l => l.StartsWith("[rank 1] ", StringComparison.Ordinal));
    }

    [SkippableFact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    [Trait(TestCategory.Name, TestCategory.Dataset)]
    public void A_killed_rank_stops_the_other_with_a_clear_error_and_the_job_resumes_from_its_checkpoint()
    {
        FashionMnistData.SkipIfMissing();
        string run = Dir("job");
        string[] train = ["train", "--run", run, .. Tiny(6_400)];
        int port = FreePort();
        using (JobProcess rank0 = JobProcess.Start(train, Ranked(0, port)))
        using (JobProcess rank1 = JobProcess.Start(train, Ranked(1, port)))
        {
            // Checkpoints come every 800 images: kill rank 1 once the first is written.
            var clock = Stopwatch.StartNew();
            while (!Directory.Exists(run) || Directory.GetFiles(run, "training-state-*.safetensors").Length == 0)
            {
                clock.Elapsed.Should().BeLessThan(Wait, rank0.Text);
                rank0.HasExited.Should().BeFalse(rank0.Text);
                Thread.Sleep(100);
            }

            rank1.Kill();
            var stopped = Stopwatch.StartNew();
            rank0.WaitForExit(TimeSpan.FromSeconds(60)).Should().Be(1, rank0.Text);
            output.WriteLine($"rank 0 stopped {stopped.Elapsed.TotalSeconds:F1} s after rank 1 was killed: {rank0.Errors}");
            rank0.Errors.Should().StartWith("error: Rank 0 of 2: the data-parallel group failed")
                .And.Contain($"resumes from the last checkpoint in {run}").And.Contain("caused by:").And.NotContain("   at ");
        }

        string resumedFrom = Names(run, "training-state-*.safetensors").Last();
        using JobProcess again = JobProcess.Start(["train", "--nproc", "2", "--run", run, .. Tiny(3_200)]);
        again.WaitForExit(Wait).Should().Be(0, again.Text);
        again.Text.Should().Contain("Resumed").And.Contain(Path.Combine(run, resumedFrom));
        Names(run, "training-state-*.safetensors").Last().Should().Be("training-state-000003200.safetensors");
    }

    [SkippableFact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    [Trait(TestCategory.Name, TestCategory.Dataset)]
    public void A_batch_that_does_not_split_over_the_ranks_fails_every_rank_with_the_reason()
    {
        FashionMnistData.SkipIfMissing();
        using JobProcess job = JobProcess.Start(["train", "--nproc", "2", "--run", Dir("odd"), .. Tiny(45, batch: 15)]);

        job.WaitForExit(Wait).Should().Be(1, job.Text);
        job.Lines.Should().Contain(l => l.StartsWith("[rank 0] error: BatchSize 15 cannot be split evenly over 2 ranks", StringComparison.Ordinal));
        job.Lines.Should().Contain(l => l.StartsWith("[rank 1] error: BatchSize 15 cannot be split evenly over 2 ranks", StringComparison.Ordinal));
        Directory.Exists(Dir("odd")).Should().BeTrue("rank 0 prepares the run directory");
        Directory.GetFiles(Dir("odd"), "training-state-*").Should().BeEmpty();
    }

    private static Dictionary<string, string> Ranked(int rank, int port) => new()
    {
        ["RANK"] = Text(rank), ["WORLD_SIZE"] = "2", ["MASTER_ADDR"] = "127.0.0.1", ["MASTER_PORT"] = Text(port),
    };

    /// <summary>The per-step losses of history.csv.</summary>
    private static double[] Losses(string run) =>
        [.. File.ReadLines(Path.Combine(run, "history.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture))];

    private static string[] Names(string folder, string pattern) =>
        [.. Directory.GetFiles(folder, pattern).Select(Path.GetFileName).Order(StringComparer.Ordinal).Cast<string>()];

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The job (its assembly, copied next to the tests) as a process; killed with its children when disposed.</summary>
    private sealed class JobProcess : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly ConcurrentQueue<string> _errors = new();

        private JobProcess(Process process) => _process = process;

        public IReadOnlyCollection<string> Lines => _lines;

        public string Text => string.Join(Environment.NewLine, _lines);

        public string Errors => string.Join(Environment.NewLine, _errors);

        public bool HasExited => _process.HasExited;

        public static JobProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DiffusionCore.Samples.FashionMnist.dll"));
            foreach (string a in arguments) start.ArgumentList.Add(a);
            foreach (string name in new[] { "RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "OMP_NUM_THREADS" })
            {
                start.Environment.Remove(name);
            }

            foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
            var job = new JobProcess(new Process { StartInfo = start });
            job._process.OutputDataReceived += (_, e) => { if (e.Data is not null) job._lines.Enqueue(e.Data); };
            job._process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                job._lines.Enqueue(e.Data);
                job._errors.Enqueue(e.Data);
            };
            job._process.Start();
            job._process.BeginOutputReadLine();
            job._process.BeginErrorReadLine();
            return job;
        }

        /// <summary>The exit code, or -1 (after killing it) when it runs longer than <paramref name="timeout"/>.</summary>
        public int WaitForExit(TimeSpan timeout)
        {
            if (!_process.WaitForExit(timeout))
            {
                Kill();
                return -1;
            }

            _process.WaitForExit();   // the output is read to the end
            return _process.ExitCode;
        }

        public void Kill()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }
    }
}
