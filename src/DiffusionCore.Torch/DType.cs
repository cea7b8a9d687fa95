namespace DiffusionCore.Torch;

/// <summary>Element types of tensors. The values equal libtorch's <c>c10::ScalarType</c> codes.</summary>
public enum DType
{
    /// <summary>Unsigned 8-bit integer (torch.uint8).</summary>
    UInt8 = 0,

    /// <summary>Signed 8-bit integer (torch.int8).</summary>
    Int8 = 1,

    /// <summary>Signed 16-bit integer (torch.int16).</summary>
    Int16 = 2,

    /// <summary>Signed 32-bit integer (torch.int32).</summary>
    Int32 = 3,

    /// <summary>Signed 64-bit integer (torch.int64), the index type.</summary>
    Int64 = 4,

    /// <summary>IEEE half precision (torch.float16).</summary>
    Float16 = 5,

    /// <summary>IEEE single precision (torch.float32), the default.</summary>
    Float32 = 6,

    /// <summary>IEEE double precision (torch.float64).</summary>
    Float64 = 7,

    /// <summary>Boolean (torch.bool).</summary>
    Bool = 11,

    /// <summary>Brain floating point (torch.bfloat16).</summary>
    BFloat16 = 15,
}

/// <summary>Helpers for <see cref="DType"/>.</summary>
public static class DTypeExtensions
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.UInt8 or DType.Int8 or DType.Bool => 1,
        DType.Int16 or DType.Float16 or DType.BFloat16 => 2,
        DType.Int32 or DType.Float32 => 4,
        DType.Int64 or DType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>True for float16, bfloat16, float32 and float64.</summary>
    public static bool IsFloatingPoint(this DType dtype) =>
        dtype is DType.Float16 or DType.BFloat16 or DType.Float32 or DType.Float64;

    /// <summary>The .NET element type that matches a dtype for host copies.</summary>
    public static Type ClrType(this DType dtype) => dtype switch
    {
        DType.UInt8 => typeof(byte),
        DType.Int8 => typeof(sbyte),
        DType.Int16 => typeof(short),
        DType.Int32 => typeof(int),
        DType.Int64 => typeof(long),
        DType.Float16 => typeof(Half),
        DType.Float32 => typeof(float),
        DType.Float64 => typeof(double),
        DType.Bool => typeof(bool),
        DType.BFloat16 => throw new NotSupportedException("bfloat16 has no .NET element type: copy it with CopyBytesTo/FromBytes or convert with To(DType.Float32)."),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>The dtype for a .NET element type used in host copies.</summary>
    public static DType FromClrType<T>()
        where T : unmanaged
    {
        Type t = typeof(T);
        if (t == typeof(float)) return DType.Float32;
        if (t == typeof(double)) return DType.Float64;
        if (t == typeof(long)) return DType.Int64;
        if (t == typeof(int)) return DType.Int32;
        if (t == typeof(short)) return DType.Int16;
        if (t == typeof(byte)) return DType.UInt8;
        if (t == typeof(sbyte)) return DType.Int8;
        if (t == typeof(bool)) return DType.Bool;
        if (t == typeof(Half)) return DType.Float16;
        throw new ArgumentException($"{t.Name} has no tensor dtype; use float, double, long, int, short, byte, sbyte, bool or Half (bfloat16 travels as bytes).", nameof(T));
    }
}
