using DiffusionCore.Samples.Cli;

namespace DiffusionCore.SolverStudy;

/// <summary>
/// Entry point of the solver study (docs/sampling.md, "Solvers on the main job"): <c>train-flow</c>, then <c>sweep</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return CommandLineApp.Run(StudyOptions.CreateCommand(FlowTraining.Run, SolverSweep.Run), args);
    }
}
