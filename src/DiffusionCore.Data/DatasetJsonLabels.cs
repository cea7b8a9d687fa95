using System.Text.Json;

namespace DiffusionCore.Data;

/// <summary>
/// Parses the EDM labels file: <c>{"labels": [["relative/path.png", 3], ...]}</c> (paths relative to the dataset root,
/// '/'-separated; labels integers from 0 to <see cref="MaxLabel"/>) or <c>{"labels": null}</c> for an unlabelled dataset.
/// </summary>
internal static class DatasetJsonLabels
{
    /// <summary>
    /// The largest accepted class label (so at most 1,000,000 classes). A class-conditional network holds one embedding
    /// row per class, so a typo such as 5000000 would silently build a model of hundreds of millions of parameters,
    /// and 2147483647 would overflow the class count; ImageNet-21k, among the largest labelled image sets, has 21,841.
    /// </summary>
    internal const int MaxLabel = 999_999;

    /// <summary>Returns the labels by relative path ('/'-separated), or null when the file says "labels": null.</summary>
    internal static Dictionary<string, int>? Read(string path)
    {
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new DatasetFormatException(path, $"not valid JSON ({e.Message}). Expected {{\"labels\": [[\"relative/path.png\", label], ...]}}.", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("labels", out JsonElement labels))
            {
                throw new DatasetFormatException(path, "expected an object with a \"labels\" member: {\"labels\": [[\"relative/path.png\", label], ...]} (or \"labels\": null).");
            }

            if (labels.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (labels.ValueKind != JsonValueKind.Array)
            {
                throw new DatasetFormatException(path, "\"labels\" must be an array of [\"relative/path.png\", label] pairs or null.");
            }

            var result = new Dictionary<string, int>(StringComparer.Ordinal);
            int index = 0;
            foreach (JsonElement entry in labels.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2 || entry[0].ValueKind != JsonValueKind.String
                    || entry[1].ValueKind != JsonValueKind.Number || !entry[1].TryGetInt64(out long value) || value < 0)
                {
                    throw new DatasetFormatException(path, $"labels[{index}] is {entry.GetRawText()}; each entry must be [\"relative/path.png\", non-negative integer].");
                }

                if (value > MaxLabel)
                {
                    throw new DatasetFormatException(
                        path, $"labels[{index}] gives \"{entry[0].GetString()}\" the label {entry[1].GetRawText()}, above the limit of {MaxLabel} ({MaxLabel + 1} classes); a class-conditional model holds one embedding per class, so fix the label or number the classes from 0.");
                }

                int label = (int)value;

                string key = entry[0].GetString()!.Replace('\\', '/');
                if (!result.TryAdd(key, label))
                {
                    throw new DatasetFormatException(path, $"labels[{index}] repeats the path \"{key}\".");
                }

                index++;
            }

            return result;
        }
    }
}
