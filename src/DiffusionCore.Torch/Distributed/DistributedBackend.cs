namespace DiffusionCore.Torch.Distributed;

/// <summary>The communication library of a <see cref="ProcessGroup"/> (libtorch c10d's process-group backends).</summary>
public enum DistributedBackend
{
    /// <summary>Gloo: CPU tensors over TCP; always available.</summary>
    Gloo = 0,

    /// <summary>
    /// NCCL: CUDA tensors over NVLink/PCIe/InfiniBand. Only in a shim built against a CUDA libtorch with NCCL's headers
    /// (see docs/distributed.md); <see cref="ProcessGroup.IsBackendAvailable"/> says whether this one has it.
    /// </summary>
    Nccl = 1,
}
