namespace DiffusionCore.Data;

/// <summary>
/// Finds the picture files of an <see cref="ImageFolderDataset"/>: recursively, following symbolic links, but entering
/// each directory and keeping each file only once, by its real path (every link resolved). A link back into the tree
/// (to a parent, to itself, to a sibling) therefore neither loops nor repeats pictures; of several paths reaching one
/// file, the first in ordinal order is kept.
/// </summary>
internal static class ImageFolderScan
{
    /// <summary>The most links one path may pass through (as Linux's ELOOP limit), so a link loop cannot hang.</summary>
    private const int MaxLinkHops = 40;

    /// <summary>Relative '/'-separated paths of the files under <paramref name="root"/> with one of <paramref name="extensions"/>, ordinal order.</summary>
    internal static string[] Find(string root, IReadOnlyCollection<string> extensions)
    {
        var visitedDirectories = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<(string Relative, string Real)>();
        var pending = new Stack<(string Path, string Relative)>();
        pending.Push((root, string.Empty));
        while (pending.Count > 0)
        {
            (string directory, string relative) = pending.Pop();
            if (!visitedDirectories.Add(RealPath(directory)))
            {
                continue;
            }

            foreach (string entry in Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal).Reverse())
            {
                string name = Path.GetFileName(entry);
                string entryRelative = relative.Length == 0 ? name : relative + "/" + name;
                if (Directory.Exists(entry))
                {
                    pending.Push((entry, entryRelative));
                }
                else if (extensions.Contains(Path.GetExtension(entry), StringComparer.OrdinalIgnoreCase))
                {
                    found.Add((entryRelative, RealPath(entry)));
                }
            }
        }

        var seenFiles = new HashSet<string>(StringComparer.Ordinal);
        return found.OrderBy(f => f.Relative, StringComparer.Ordinal).Where(f => seenFiles.Add(f.Real)).Select(f => f.Relative).ToArray();
    }

    /// <summary>
    /// The absolute path of <paramref name="path"/> with every symbolic link in it resolved, component by component
    /// (like POSIX <c>realpath</c>).
    /// </summary>
    /// <exception cref="IOException">The path passes through more than <see cref="MaxLinkHops"/> links.</exception>
    internal static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        string current = Path.GetPathRoot(full)!;
        var remaining = new LinkedList<string>(Split(full));
        int hops = 0;
        while (remaining.First is { } first)
        {
            remaining.RemoveFirst();
            string next = Path.Combine(current, first.Value);
            if (new FileInfo(next).LinkTarget is not { } target)
            {
                current = next;
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                throw new IOException($"'{path}' passes through more than {MaxLinkHops} symbolic links (a link loop); remove the loop.");
            }

            string resolved = Path.GetFullPath(target, current);
            foreach (string component in Split(resolved).Reverse())
            {
                remaining.AddFirst(component);
            }

            current = Path.GetPathRoot(resolved)!;
        }

        return current;
    }

    private static string[] Split(string fullPath) =>
        fullPath[Path.GetPathRoot(fullPath)!.Length..].Split(
            [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
}
