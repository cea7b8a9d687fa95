namespace DiffusionCore.Torch.Serialization;

/// <summary>The dtype codes of the safetensors header and the <see cref="DType"/> each maps to.</summary>
internal static class SafeTensorsDTypes
{
    /// <summary>Codes in the safetensors specification that libtorch 1.13 has no tensor type for.</summary>
    private static readonly HashSet<string> s_unsupported = new(StringComparer.Ordinal)
    {
        "U16", "U32", "U64", "C64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4",
    };

    /// <summary>The supported codes, for error messages.</summary>
    internal const string SupportedList = "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL";

    /// <summary>The dtype for a header code, or null when the code is not one DiffusionCore reads.</summary>
    internal static DType? FromCode(string code) => code switch
    {
        "F64" => DType.Float64,
        "F32" => DType.Float32,
        "F16" => DType.Float16,
        "BF16" => DType.BFloat16,
        "I64" => DType.Int64,
        "I32" => DType.Int32,
        "I16" => DType.Int16,
        "I8" => DType.Int8,
        "U8" => DType.UInt8,
        "BOOL" => DType.Bool,
        _ => null,
    };

    /// <summary>The header code for a dtype, or null when safetensors (as DiffusionCore writes it) has none.</summary>
    internal static string? ToCode(DType dtype) => dtype switch
    {
        DType.Float64 => "F64",
        DType.Float32 => "F32",
        DType.Float16 => "F16",
        DType.BFloat16 => "BF16",
        DType.Int64 => "I64",
        DType.Int32 => "I32",
        DType.Int16 => "I16",
        DType.Int8 => "I8",
        DType.UInt8 => "U8",
        DType.Bool => "BOOL",
        _ => null,
    };

    /// <summary>Explains why a header code cannot be read.</summary>
    internal static string DescribeUnknown(string code) =>
        s_unsupported.Contains(code)
            ? $"dtype '{code}' is valid safetensors but has no libtorch 1.13 tensor type; supported: {SupportedList}"
            : $"unknown dtype '{code}'; supported: {SupportedList}";
}
