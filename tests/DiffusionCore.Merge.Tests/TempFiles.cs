using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Merge.Tests;

/// <summary>A temporary directory of safetensors state dicts, deleted on dispose.</summary>
internal sealed class TempFiles : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dc-merge-").FullName;

    public string Write(string name, params IReadOnlyList<(string Key, Tensor Value)> tensors)
    {
        string path = Path.Combine(_dir, name + ".safetensors");
        SafeTensors.Save(path, tensors.Select(t => KeyValuePair.Create(t.Key, t.Value)));
        return path;
    }

    public string PathOf(string name) => Path.Combine(_dir, name);

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
