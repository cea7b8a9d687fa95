namespace DiffusionCore.Torch;

/// <summary>Kinds of device (values equal <c>c10::DeviceType</c>).</summary>
public enum DeviceType
{
    /// <summary>The host CPU.</summary>
    Cpu = 0,

    /// <summary>An NVIDIA GPU; needs the shim built against a CUDA libtorch.</summary>
    Cuda = 1,

    /// <summary>
    /// libtorch's meta device: tensors with shape and dtype but no data. Building a module on it costs no memory, so the
    /// parameter count of a billion-parameter preset can be read without allocating its weights.
    /// </summary>
    Meta = 14,
}

/// <summary>A device a tensor lives on: CPU, or a CUDA device with its index.</summary>
/// <param name="Type">The device kind.</param>
/// <param name="Index">The device index; -1 for the CPU.</param>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    /// <summary>The host CPU.</summary>
    public static Device Cpu { get; } = new(DeviceType.Cpu);

    /// <summary>The meta device (shapes without data).</summary>
    public static Device Meta { get; } = new(DeviceType.Meta);

    /// <summary>The CUDA device with the given index.</summary>
    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda") return Cuda();
        if (t == "meta") return Meta;
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture, out int i) && i >= 0) return Cuda(i);
        throw new FormatException($"'{text}' is not a device; use \"cpu\", \"cuda\", \"cuda:N\" or \"meta\".");
    }

    /// <inheritdoc />
    public override string ToString() => Type switch
    {
        DeviceType.Cpu => "cpu",
        DeviceType.Meta => "meta",
        _ => Index < 0 ? "cuda" : $"cuda:{Index}",
    };
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
