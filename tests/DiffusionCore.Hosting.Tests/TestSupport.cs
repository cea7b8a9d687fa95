using DiffusionCore.Data.Imaging;
using DiffusionCore.Torch;
using Microsoft.Extensions.Logging;

namespace DiffusionCore.Hosting.Tests;

/// <summary>Collects every log message of a host.</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    public List<(string Category, LogLevel Level, string Message)> Entries { get; } = [];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public string[] Messages(LogLevel level)
    {
        lock (Entries) return [.. Entries.Where(e => e.Level == level).Select(e => e.Message)];
    }

    private sealed class Logger(ListLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner.Entries) owner.Entries.Add((category, logLevel, formatter(state, exception)));
        }
    }
}

/// <summary>A temporary folder with synthetic grey PNGs, removed on dispose.</summary>
internal sealed class ImageFolder : IDisposable
{
    public ImageFolder(int count, int size)
    {
        Root = Directory.CreateTempSubdirectory("dc-hosting-").FullName;
        Images = Path.Combine(Root, "images");
        Directory.CreateDirectory(Images);
        using var scope = new TensorScope();
        using var g = new Generator(3);
        for (int i = 0; i < count; i++)
        {
            Tensor image = Tensor.Rand([1, size, size], g).Mul(255.0).To(DType.UInt8);
            ImageCodec.WritePng(image, Path.Combine(Images, $"{i:D3}.png"));
        }
    }

    public string Root { get; }

    public string Images { get; }

    public string Run(string name) => Path.Combine(Root, name);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

internal static class RepositoryPaths
{
    /// <summary>The repository root: the first folder above the test binaries that holds DiffusionCore.sln.</summary>
    public static string Root
    {
        get
        {
            for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "DiffusionCore.sln"))) return d.FullName;
            }

            throw new DirectoryNotFoundException($"No DiffusionCore.sln above {AppContext.BaseDirectory}.");
        }
    }
}
