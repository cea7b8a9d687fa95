namespace DiffusionCore.Training.Schedules;

internal static class ScheduleChecks
{
    public static void Rate(double rate, string name)
    {
        if (!(rate >= 0) || !double.IsFinite(rate))
        {
            throw new ArgumentOutOfRangeException(name, rate, "The learning rate must be a finite non-negative number.");
        }
    }

    /// <summary><c>min(n/ramp, 1)</c>, or 1 without ramp-up.</summary>
    public static double Ramp(long imagesSeen, long rampImages) =>
        rampImages <= 0 ? 1.0 : Math.Min((double)Math.Max(imagesSeen, 0) / rampImages, 1.0);
}
