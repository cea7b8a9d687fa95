using DiffusionCore.Torch;
using DiffusionCore.Torch.Distributed;

namespace DiffusionCore.Distributed.Tests;

/// <summary>A group of one rank in the test process (a file store): collectives are identities, arguments are checked locally.</summary>
public sealed class SingleRankTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dc-dist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ProcessGroup Group()
    {
        using var store = new FileStore(Path.Combine(_dir, "store"), 1, TimeSpan.FromSeconds(10));
        return ProcessGroup.Create(store, 0, 1);
    }

    [Fact]
    public void One_rank_all_reduce_average_and_broadcast_keep_the_values()
    {
        using var group = Group();
        using var scope = new TensorScope();
        Tensor a = Tensor.Arange(0, 6).To(DType.Float32).Reshape(2, 3);
        group.AllReduce([a], ReduceOperation.Average);
        group.Broadcast(a);
        group.Barrier();
        a.ToArray<float>().Should().Equal(0, 1, 2, 3, 4, 5);
        group.Rank.Should().Be(0);
        group.WorldSize.Should().Be(1);
        group.Backend.Should().Be(DistributedBackend.Gloo);
    }

    [Fact]
    public void Average_of_integers_is_a_dtype_error_before_any_communication()
    {
        using var group = Group();
        using var scope = new TensorScope();
        Action act = () => group.AllReduce(Tensor.Ones([2], DType.Int64), ReduceOperation.Average);
        act.Should().Throw<TorchDTypeException>().WithMessage("*Average needs floating-point tensors*");
        group.AllReduce(Tensor.Ones([2]));  // still usable
    }

    [Fact]
    public void Broadcast_root_outside_the_group_is_rejected()
    {
        using var group = Group();
        using var scope = new TensorScope();
        Action act = () => group.Broadcast(Tensor.Ones([2]), root: 1);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Nccl_group_works_where_available_and_otherwise_says_how_to_get_it()
    {
        ProcessGroup.IsBackendAvailable(DistributedBackend.Gloo).Should().BeTrue();
        using var store = new FileStore(Path.Combine(_dir, "nccl"), 1, TimeSpan.FromSeconds(10));
        var options = new ProcessGroupOptions { Backend = DistributedBackend.Nccl, CudaDevice = 0 };
        if (ProcessGroup.IsBackendAvailable(DistributedBackend.Nccl))
        {
            using var group = ProcessGroup.Create(store, 0, 1, options);
            using var scope = new TensorScope();
            Tensor a = Tensor.Full([3], 2.0, device: Device.Cuda(0));
            group.AllReduce(a);
            a.To(Device.Cpu).ToArray<float>().Should().Equal(2, 2, 2);
            return;
        }

        Action act = () => ProcessGroup.Create(store, 0, 1, options);
        act.Should().Throw<TorchNotSupportedException>().WithMessage("*NCCL*CUDA libtorch*Gloo*");
    }
}
