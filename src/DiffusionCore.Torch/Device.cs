namespace DiffusionCore.Torch;

/// <summary>Kinds of device (values equal <c>c10::DeviceType</c>).</summary>
public enum DeviceType
{
    /// <summary>The host CPU.</summary>
    Cpu = 0,

    /// <summary>An NVIDIA GPU; needs the shim built against a CUDA libtorch.</summary>
    Cuda = 1,
}

/// <summary>A device a tensor lives on: CPU, or a CUDA device with its index.</summary>
/// <param name="Type">The device kind.</param>
/// <param name="Index">The device index; -1 for the CPU.</param>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    /// <summary>The host CPU.</summary>
    public static Device Cpu { get; } = new(DeviceType.Cpu);

    /// <summary>The CUDA device with the given index.</summary>
    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda") return Cuda();
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture, out int i) && i >= 0) return Cuda(i);
        throw new FormatException($"'{text}' is not a device; use \"cpu\", \"cuda\" or \"cuda:N\".");
    }

    /// <inheritdoc />
    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : Index < 0 ? "cuda" : $"cuda:{Index}";
}

/// <summary>Memory layouts of 4-D tensors.</summary>
public enum MemoryFormat
{
    /// <summary>Row-major NCHW.</summary>
    Contiguous = 0,

    /// <summary>NHWC strides (channels last), often faster for convolutions.</summary>
    ChannelsLast = 1,

    /// <summary>Keep the input's layout.</summary>
    Preserve = 2,
}
