using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Threads;

/// <summary>Torch.NumThreads is process-wide state: these tests run alone and restore it.</summary>
[Collection(SerialTests.Name)]
public class NumThreadsTests
{
    [Fact]
    public void NumThreads_set_and_get_round_trip()
    {
        int original = Torch.NumThreads;
        original.Should().BeGreaterThan(0);
        try
        {
            Torch.NumThreads = 2;
            Torch.NumThreads.Should().Be(2);
            Torch.NumThreads = 1;
            Torch.NumThreads.Should().Be(1);
            Torch.NumThreads = 3;
            Torch.NumThreads.Should().Be(3);
        }
        finally
        {
            Torch.NumThreads = original;
        }

        Torch.NumThreads.Should().Be(original);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Setting_fewer_than_one_thread_throws_and_changes_nothing(int count)
    {
        int original = Torch.NumThreads;
        Action act = () => Torch.NumThreads = count;
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("value");
        Torch.NumThreads.Should().Be(original);
    }

    [Fact]
    public void A_thread_that_already_ran_ops_follows_a_later_change()
    {
        int original = Torch.NumThreads;
        int target = original == 2 ? 3 : 2;
        using var ranOps = new ManualResetEventSlim();
        using var changed = new ManualResetEventSlim();
        int before = 0, after = 0;
        var worker = new Thread(() =>
        {
            using (new TensorScope())
            {
                _ = Tensor.Ones([1 << 16]).Sum().ToDouble(); // libtorch initialises this thread's intra-op settings
            }

            before = Torch.NumThreads;
            ranOps.Set();
            changed.Wait();
            after = Torch.NumThreads;
        });
        try
        {
            worker.Start();
            ranOps.Wait();
            Torch.NumThreads = target;
            changed.Set();
            worker.Join();
            before.Should().Be(original);
            after.Should().Be(target, "the setting is process-wide, not only for the thread that set it");
            int fresh = 0;
            var freshThread = new Thread(() => fresh = Torch.NumThreads);
            freshThread.Start();
            freshThread.Join();
            fresh.Should().Be(target);
        }
        finally
        {
            changed.Set();
            worker.Join();
            Torch.NumThreads = original;
        }
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        int original = Torch.NumThreads;
        using var scope = new TensorScope();
        using var g = new Generator(9);
        Tensor a = Tensor.Randn([64, 128], g, DType.Float64);
        Tensor b = Tensor.Randn([128, 32], g, DType.Float64);
        try
        {
            Torch.NumThreads = 1;
            Tensor one = a.MatMul(b).Tanh().Sum([1]);
            Torch.NumThreads = 2;
            Tensor two = a.MatMul(b).Tanh().Sum([1]);
            two.ShouldBeClose(one, 1e-12);
        }
        finally
        {
            Torch.NumThreads = original;
        }
    }

    [Fact]
    public void Setting_NumThreads_makes_the_count_explicit()
    {
        int original = Torch.NumThreads;
        try
        {
            Torch.NumThreads = original;
            IntraOpThreads.Source.Should().Be(IntraOpThreadSource.Explicit);
            IntraOpThreads.Describe().Should().StartWith($"{original} intra-op thread(s), set by the application");
        }
        finally
        {
            Torch.NumThreads = original;
        }
    }
}
