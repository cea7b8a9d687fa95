namespace DiffusionCore.Torch.Serialization;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length N, N bytes of UTF-8 JSON mapping each tensor name to its dtype, shape and byte range in the data
/// section, with an optional <c>__metadata__</c> string map, then the raw little-endian tensor bytes.
/// </summary>
/// <remarks>
/// Supported dtypes: F64, F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL. To read a file tensor by tensor (without
/// loading it whole), use <see cref="SafeTensorsFile.Open"/>.
/// </remarks>
public static class SafeTensors
{
    /// <summary>
    /// The <c>__metadata__</c> key under which <see cref="Save"/> with <c>checksums: true</c> stores a checksum of every
    /// tensor ("xxh3-64:" and one XxHash3 digest per tensor, in data order), verified by every read of the file. The key is
    /// reserved: <see cref="Save"/> never copies it from the metadata it is given.
    /// </summary>
    public const string ChecksumKey = "diffusioncore.checksums";

    /// <summary>
    /// Reads every tensor and the metadata of a safetensors file. The file is validated completely before any data is
    /// read, each tensor's bytes are read once, from the file straight into libtorch memory, and they are verified when
    /// the file stores checksums (<see cref="ChecksumKey"/>).
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <param name="device">Where the tensors should live; null or CPU keeps them on the CPU.</param>
    /// <returns>The tensors (owned by the caller's current <see cref="TensorScope"/>, or by the caller) and the metadata.</returns>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file, a tensor does not match its
    /// checksum, or the path is not a regular file; the message says why.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static SafeTensorsContents Load(string path, Device? device = null)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        return new SafeTensorsContents(file.ReadAll(device), file.Metadata);
    }

    /// <summary>
    /// Writes tensors and optional metadata as a safetensors file, atomically: the bytes go to a temporary file in the
    /// same directory, which is flushed to disk and then renamed over <paramref name="path"/>, so a failure or crash
    /// mid-write never leaves a partial file and never damages an existing one.
    /// </summary>
    /// <remarks>
    /// Tensors are stored in the order given (the Python library instead sorts them by alignment and name; readers do
    /// not depend on the order), back to back, after a header padded with spaces to a multiple of 8 bytes. Each tensor
    /// may live on any device and have any strides: its elements are written in row-major order, copied to the host
    /// through one buffer of at most 16 MiB, so no managed buffer grows with the model. <c>__metadata__</c> is written
    /// only when it has entries. With <paramref name="checksums"/>, the XxHash3 digest of every tensor's bytes is stored
    /// under <see cref="ChecksumKey"/> (computed while the bytes are written, then filled into the header in place) and
    /// every later read verifies it.
    /// </remarks>
    /// <param name="path">The file to create or replace; its directory must exist.</param>
    /// <param name="tensors">Name → tensor pairs; names must be unique, non-null and not <c>__metadata__</c>.</param>
    /// <param name="metadata">Optional string → string metadata (non-null keys and values); an entry under
    /// <see cref="ChecksumKey"/> is dropped (it is written only from the tensors being saved).</param>
    /// <param name="checksums">Store a checksum of every tensor, verified on every read.</param>
    /// <exception cref="ArgumentException">A name is duplicated, reserved or invalid, a tensor is null or has an
    /// unsupported dtype, or the metadata has a null or invalid entry. Nothing is written then.</exception>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null, bool checksums = false) =>
        SafeTensorsWriter.Write(path, tensors, metadata, checksums);
}
