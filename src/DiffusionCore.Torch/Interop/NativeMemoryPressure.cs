namespace DiffusionCore.Torch.Interop;

/// <summary>
/// Tells the garbage collector about the native memory of tensors created outside any <see cref="TensorScope"/>
/// (<see cref="GC.AddMemoryPressure"/> with the tensor's bytes when it is created, <see cref="GC.RemoveMemoryPressure"/>
/// when its handle is released, by <see cref="Tensor.Dispose"/> or by the finalizer). A <see cref="Tensor"/> is a small
/// managed object over a large native buffer: without this, a loop that neither disposes its tensors nor opens a scope
/// grows native memory without ever making the GC collect, so the finalizers that would free the tensors never run
/// (issue 16, item 6). Tensors created inside a scope are freed by it and cost nothing here.
/// </summary>
internal static class NativeMemoryPressure
{
    /// <summary>
    /// Reports the bytes of a tensor that no scope owns (none for meta tensors, which hold no memory, and none when
    /// libtorch cannot describe the tensor: the report is advice, never a reason to fail).
    /// </summary>
    internal static void Track(Tensor tensor, TensorHandle handle)
    {
        long bytes;
        try
        {
            if (tensor.Device.Type == DeviceType.Meta) return;
            bytes = tensor.NumElements * tensor.DType.ElementSize();
        }
        catch (TorchException)
        {
            return;
        }

        if (bytes <= 0) return;
        handle.MemoryPressure = bytes;
        GC.AddMemoryPressure(bytes);
    }

    /// <summary>Withdraws what <see cref="Track"/> reported for a handle that is being released.</summary>
    internal static void Release(TensorHandle handle)
    {
        if (handle.MemoryPressure > 0) GC.RemoveMemoryPressure(handle.MemoryPressure);
    }
}
