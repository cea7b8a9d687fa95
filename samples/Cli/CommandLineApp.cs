using System.CommandLine;
using System.CommandLine.Invocation;

namespace DiffusionCore.Samples.Cli;

/// <summary>
/// Runs a System.CommandLine root command for the samples and benchmark runners: <c>--help</c> is generated from the
/// commands and options; an unknown option, a malformed value or a broken rule prints the error (naming the option)
/// and exits with <see cref="UsageErrorExitCode"/>; an exception out of the action (a corrupt checkpoint, options that do
/// not match the run directory) prints its message and causes, without a stack trace, and exits with
/// <see cref="FailureExitCode"/>.
/// </summary>
internal static class CommandLineApp
{
    /// <summary>The exit code of a command line that does not parse (the usual code for wrong usage).</summary>
    public const int UsageErrorExitCode = 2;

    /// <summary>The exit code of an action that failed with an exception.</summary>
    public const int FailureExitCode = 1;

    /// <summary>Parses <paramref name="args"/> and runs the chosen command's action, or reports the parse errors.</summary>
    /// <param name="root">The program's commands and options.</param>
    /// <param name="args">The program's arguments.</param>
    /// <param name="configuration">Where help and errors are written (standard output and error when null).</param>
    /// <returns>
    /// The action's exit code, <see cref="UsageErrorExitCode"/> when the command line does not parse, or
    /// <see cref="FailureExitCode"/> when the action throws.
    /// </returns>
    public static int Run(RootCommand root, IReadOnlyList<string> args, InvocationConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        configuration ??= new InvocationConfiguration();
        configuration.EnableDefaultExceptionHandler = false;
        try
        {
            return ParseAndInvoke(root, args, configuration);
        }
        catch (Exception e)
        {
            TextWriter error = configuration.Error;
            error.WriteLine($"error: {e.Message}");
            for (Exception? cause = e.InnerException; cause is not null; cause = cause.InnerException)
            {
                error.WriteLine($"  caused by: {cause.Message}");
            }

            return FailureExitCode;
        }
    }

    private static int ParseAndInvoke(RootCommand root, IReadOnlyList<string> args, InvocationConfiguration configuration)
    {
        ParseResult result = root.Parse(args);
        if (result.Action is ParseErrorAction errors)
        {
            errors.ShowHelp = false;
            errors.ShowTypoCorrections = false;
            result.Invoke(configuration);
            configuration.Error.WriteLine("(--help lists the commands and options)");
            return UsageErrorExitCode;
        }

        return result.Invoke(configuration);
    }
}
