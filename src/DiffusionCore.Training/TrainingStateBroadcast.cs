using System.Text.Json;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Distributed;

namespace DiffusionCore.Training;

/// <summary>
/// Sends rank 0's training state (the tensors and metadata a checkpoint holds) to every rank, without files: first a
/// header (metadata, names, dtypes, shapes) as UTF-8 JSON bytes, then the tensors in one bucketed broadcast.
/// </summary>
internal static class TrainingStateBroadcast
{
    /// <summary>The names, dtypes and shapes of the state's tensors and its metadata.</summary>
    internal sealed record Header(Dictionary<string, string> Metadata, List<Entry> Entries);

    /// <summary>One tensor of the state.</summary>
    internal sealed record Entry(string Name, DType DType, long[] Shape);

    /// <summary>Rank 0's header on every rank (<paramref name="tensors"/> and <paramref name="metadata"/> are read on rank 0 only).</summary>
    public static Header BroadcastHeader(ProcessGroup group, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        byte[] bytes = [];
        if (group.IsRankZero)
        {
            var entries = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new Entry(kv.Key, kv.Value.DType, kv.Value.Shape)).ToList();
            bytes = JsonSerializer.SerializeToUtf8Bytes(new Header(new Dictionary<string, string>(metadata, StringComparer.Ordinal), entries));
        }

        bytes = BroadcastBytes(group, bytes);
        return JsonSerializer.Deserialize<Header>(bytes) ?? throw new InvalidDataException("Rank 0 sent an empty training-state header.");
    }

    /// <summary>
    /// Rank 0's tensors on every rank: on rank 0 <paramref name="tensors"/> is sent; on the others it is filled with new
    /// tensors (in the current scope, on the group's device) that receive rank 0's values.
    /// </summary>
    public static void BroadcastTensors(ProcessGroup group, Header header, Dictionary<string, Tensor> tensors)
    {
        var list = new List<Tensor>(header.Entries.Count);
        foreach (Entry e in header.Entries)
        {
            if (group.IsRankZero)
            {
                list.Add(tensors[e.Name].To(group.Device).Contiguous());
            }
            else
            {
                Tensor t = Tensor.Empty(e.Shape, e.DType, group.Device);
                tensors[e.Name] = t;
                list.Add(t);
            }
        }

        group.Broadcast(list);
    }

    private static byte[] BroadcastBytes(ProcessGroup group, byte[] bytes)
    {
        using var scope = new TensorScope();
        Tensor length = Tensor.Full([1], bytes.Length, DType.Int64, group.Device);
        group.Broadcast(length);
        long n = length.ToInt64();
        Tensor data = group.IsRankZero ? Tensor.FromArray(bytes).To(group.Device) : Tensor.Empty([n], DType.UInt8, group.Device);
        group.Broadcast(data);
        return data.To(Device.Cpu).ToArray<byte>();
    }
}
