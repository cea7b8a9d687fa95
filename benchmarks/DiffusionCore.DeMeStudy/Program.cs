using DiffusionCore.Samples.Cli;

namespace DiffusionCore.DeMeStudy;

/// <summary>Entry point of the DeMe study (docs/deme.md).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return CommandLineApp.Run(StudyOptions.CreateCommand(Study.Run), args);
    }
}
