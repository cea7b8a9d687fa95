using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Torch.Tests.Serialization;

/// <summary>
/// Issue 16, item 8 (the file level): <c>Save(checksums: true)</c> stores an XxHash3 digest of the header and of every
/// tensor, and every read verifies them, so flipped bits or overwritten bytes are reported, not loaded.
/// </summary>
public sealed class SafeTensorsChecksumTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string SaveSample(bool checksums, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var scope = new TensorScope();
        string path = _dir.File(checksums ? "with.safetensors" : "without.safetensors");
        SafeTensors.Save(path, [
            new("w", Tensor.Arange(64, DType.Float32).Reshape(8, 8)),
            new("empty", Tensor.Zeros([0, 3])),
            new("b", Tensor.FromArray(new long[] { 4, 5, 6 }, 3)),
        ], metadata ?? new Dictionary<string, string> { ["step"] = "42" }, checksums);
        return path;
    }

    private static (byte[] Json, long DataStart) Header(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return (bytes[8..(int)(8 + n)], 8 + n);
    }

    [Fact]
    public void The_stored_digests_are_xxh3_of_the_header_and_of_each_tensors_bytes()
    {
        string path = SaveSample(checksums: true);
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        file.HasChecksums.Should().BeTrue();
        string value = file.Metadata[SafeTensors.ChecksumKey];
        string[] digests = value["xxh3-64:".Length..].Split(',');
        digests.Should().HaveCount(4, "one for the header, one per tensor");

        byte[] bytes = File.ReadAllBytes(path);
        (byte[] json, long dataStart) = Header(path);
        string zeroed = Encoding.UTF8.GetString(json).Replace(value, "xxh3-64:" + string.Join(",", Enumerable.Repeat(new string('0', 16), 4)), StringComparison.Ordinal);
        digests[0].Should().Be(XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(zeroed)).ToString("x16"));
        foreach ((SafeTensorsEntry entry, int i) in file.Entries.Select((e, i) => (e, i)))
        {
            ReadOnlySpan<byte> data = bytes.AsSpan((int)(dataStart + entry.DataBegin), (int)entry.ByteLength);
            digests[i + 1].Should().Be(XxHash3.HashToUInt64(data).ToString("x16"), $"tensor {entry.Name}");
        }

        using var scope = new TensorScope();
        SafeTensors.Load(path)["w"].ToArray<float>().Should().Equal(Enumerable.Range(0, 64).Select(i => (float)i));
    }

    [Theory]
    [InlineData("flip one exponent bit")]
    [InlineData("overwrite 8 bytes with 0xFF")]
    public void Corrupted_tensor_bytes_are_reported_naming_the_tensor(string damage)
    {
        string path = SaveSample(checksums: true);
        (_, long dataStart) = Header(path);
        byte[] bytes = File.ReadAllBytes(path);
        if (damage.StartsWith("flip", StringComparison.Ordinal))
        {
            bytes[dataStart + 4 * 10 + 3] ^= 0x40;  // w[1, 2] = 10f: the top exponent bit of its float32 bytes
        }
        else
        {
            bytes.AsSpan((int)dataStart + 64 * 4, 8).Fill(0xFF);  // all of tensor b's first element
        }

        File.WriteAllBytes(path, bytes);
        string tensor = damage.StartsWith("flip", StringComparison.Ordinal) ? "w" : "b";
        Action load = () =>
        {
            using var scope = new TensorScope();
            SafeTensors.Load(path);
        };
        load.Should().Throw<SafeTensorsFormatException>()
            .WithMessage($"*tensor '{tensor}': its bytes do not match the checksum stored in the header*the file is corrupt")
            .Which.TensorName.Should().Be(tensor);

        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        using Tensor intact = file.Read(tensor == "w" ? "b" : "w");
        intact.NumElements.Should().BeGreaterThan(0, "the other tensors still read: the damage is located");
    }

    [Fact]
    public void A_changed_metadata_value_is_reported_as_a_corrupt_header()
    {
        string path = SaveSample(checksums: true, new Dictionary<string, string> { ["images_seen"] = "12800" });
        byte[] bytes = File.ReadAllBytes(path);
        int at = bytes.AsSpan().IndexOf("12800"u8);
        bytes[at] = (byte)'9';
        File.WriteAllBytes(path, bytes);
        Action open = () => SafeTensorsFile.Open(path).Dispose();
        open.Should().Throw<SafeTensorsFormatException>().WithMessage("*its header does not match the checksum stored in it*the header is corrupt");
    }

    [Fact]
    public void A_malformed_checksum_entry_is_reported()
    {
        string path = SaveSample(checksums: true);
        byte[] bytes = File.ReadAllBytes(path);
        int at = bytes.AsSpan().IndexOf("xxh3-64:"u8);
        bytes[at + 8] = (byte)'g';
        File.WriteAllBytes(path, bytes);
        Action open = () => SafeTensorsFile.Open(path).Dispose();
        open.Should().Throw<SafeTensorsFormatException>().WithMessage("*'diffusioncore.checksums' metadata entry has 'g*' where a 16-digit hexadecimal digest belongs*");
    }

    [Fact]
    public void Without_checksums_nothing_is_stored_and_a_stale_entry_in_the_metadata_is_dropped()
    {
        string path = SaveSample(checksums: false, new Dictionary<string, string> { [SafeTensors.ChecksumKey] = "xxh3-64:stale", ["step"] = "1" });
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        file.HasChecksums.Should().BeFalse();
        file.Metadata.Should().Equal(new Dictionary<string, string> { ["step"] = "1" });
    }

    [Fact]
    public void A_tensor_larger_than_the_write_buffer_and_the_read_chunk_is_digested_whole()
    {
        using var scope = new TensorScope();
        string path = _dir.File("large.safetensors");
        using var g = new Generator(3);
        Tensor large = Tensor.Randn([5, 1 << 20], g);  // 20 MiB: written in 16 MiB slices, read in 1 MiB chunks
        SafeTensors.Save(path, [new("large", large)], checksums: true);
        (_, long dataStart) = Header(path);
        byte[] bytes = File.ReadAllBytes(path);
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        file.Metadata[SafeTensors.ChecksumKey].Split(',')[1].Should().Be(XxHash3.HashToUInt64(bytes.AsSpan((int)dataStart)).ToString("x16"));
        file.Read("large").ToArray<float>().Should().Equal(large.ToArray<float>());
    }
}
