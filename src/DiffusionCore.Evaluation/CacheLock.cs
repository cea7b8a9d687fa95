namespace DiffusionCore.Evaluation;

/// <summary>
/// An exclusive lock file next to a cache entry, so that concurrent processes (parallel test runs, several trainers)
/// do not train the same classifier twice at once: the second waits, then finds the first one's result.
/// </summary>
internal sealed class CacheLock : IDisposable
{
    private readonly FileStream _stream;

    private CacheLock(FileStream stream) => _stream = stream;

    /// <summary>Acquires the lock <c>path + ".lock"</c>, polling until <paramref name="timeout"/> elapses.</summary>
    /// <exception cref="TimeoutException">Another process held the lock for longer than <paramref name="timeout"/>.</exception>
    public static CacheLock Acquire(string path, TimeSpan timeout)
    {
        string lockPath = path + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(lockPath))!);
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new CacheLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (e is not DirectoryNotFoundException && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(250);
            }
            catch (IOException e) when (e is not DirectoryNotFoundException)
            {
                throw new TimeoutException(
                    $"The evaluation cache entry '{path}' stayed locked by another process for {timeout.TotalMinutes:0.#} minutes " +
                    $"(lock file '{lockPath}'). If no other DiffusionCore process is running, delete the lock file.", e);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
