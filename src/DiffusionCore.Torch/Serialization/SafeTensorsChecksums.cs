using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace DiffusionCore.Torch.Serialization;

/// <summary>
/// Checksums in the <c>__metadata__</c> entry <see cref="SafeTensors.ChecksumKey"/>: <c>xxh3-64:</c> followed by
/// comma-separated 16-digit lowercase hexadecimal XxHash3 (64-bit, seed 0) digests: first the digest of the JSON header
/// (with this value's digits all zero, and its padding), then one per tensor's bytes, in the order of the tensors'
/// bytes in the data section. So metadata, names, dtypes, shapes and offsets are covered as well as the data.
/// </summary>
internal static class SafeTensorsChecksums
{
    /// <summary>The prefix naming the hash.</summary>
    internal const string Scheme = "xxh3-64:";

    private const int DigestChars = 16;

    private static readonly byte[] s_valueStart = Encoding.UTF8.GetBytes($"\"{SafeTensors.ChecksumKey}\":\"");

    /// <summary>The XxHash3 digest of some bytes.</summary>
    internal static ulong Hash(ReadOnlySpan<byte> bytes) => XxHash3.HashToUInt64(bytes);

    /// <summary>The metadata value for a header digest and the tensors' digests (in data order).</summary>
    internal static string Format(ulong header, ReadOnlySpan<ulong> tensors)
    {
        var text = new StringBuilder(Scheme.Length + ((tensors.Length + 1) * (DigestChars + 1)));
        text.Append(Scheme).Append(header.ToString("x16", CultureInfo.InvariantCulture));
        foreach (ulong digest in tensors)
        {
            text.Append(',').Append(digest.ToString("x16", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>The value the writer puts in the header first: every digest zero, as long as the final value.</summary>
    internal static string Placeholder(int tensorCount) => Format(0, new ulong[tensorCount]);

    /// <summary>
    /// Where the value starts in the JSON header: right after <c>"diffusioncore.checksums":"</c>, or -1. Inside a JSON
    /// string every quote is escaped, so this byte sequence occurs only as the entry itself.
    /// </summary>
    internal static int ValueOffset(ReadOnlySpan<byte> json)
    {
        int at = json.IndexOf(s_valueStart);
        return at < 0 ? -1 : at + s_valueStart.Length;
    }

    /// <summary>
    /// Verifies the header digest of a file's JSON header (whose metadata holds <paramref name="value"/>) and returns
    /// each tensor's digest by name.
    /// </summary>
    /// <exception cref="SafeTensorsFormatException">The value is malformed, or the header does not match its digest.</exception>
    internal static Dictionary<string, ulong> Verify(byte[] json, string value, IReadOnlyList<SafeTensorsEntry> entries, string path)
    {
        string Problem(string what) => $"its '{SafeTensors.ChecksumKey}' metadata entry {what} (the header is corrupt)";
        if (!value.StartsWith(Scheme, StringComparison.Ordinal))
        {
            throw new SafeTensorsFormatException(path, null, Problem($"does not start with '{Scheme}'"));
        }

        string[] parts = value[Scheme.Length..].Split(',');
        if (parts.Length != entries.Count + 1)
        {
            throw new SafeTensorsFormatException(path, null, Problem($"holds {parts.Length} digests where the header and {entries.Count} tensors need {entries.Count + 1}"));
        }

        var digests = new ulong[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length != DigestChars
                || !ulong.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out digests[i]))
            {
                throw new SafeTensorsFormatException(path, null, Problem($"has '{parts[i]}' where a 16-digit hexadecimal digest belongs"));
            }
        }

        int offset = ValueOffset(json);
        if (offset < 0 || offset + value.Length > json.Length)
        {
            throw new SafeTensorsFormatException(path, null, Problem("is not stored in the form the header checksum covers"));
        }

        byte[] zeroed = (byte[])json.Clone();
        Encoding.ASCII.GetBytes(Placeholder(entries.Count), zeroed.AsSpan(offset, value.Length));
        ulong actual = Hash(zeroed);
        if (actual != digests[0])
        {
            throw new SafeTensorsFormatException(path, null,
                $"its header does not match the checksum stored in it (xxh3-64 {digests[0]:x16}, read {actual:x16}): the header is corrupt");
        }

        var result = new Dictionary<string, ulong>(entries.Count, StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            result.Add(entries[i].Name, digests[i + 1]);
        }

        return result;
    }
}
