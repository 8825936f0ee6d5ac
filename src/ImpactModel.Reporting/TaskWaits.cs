namespace ImpactModel.Reporting;

/// <summary>Waiting for work started on the thread pool, where the caller decides which failure to report.</summary>
internal static class TaskWaits
{
    /// <summary>
    /// Waits for every task to end, whatever its outcome, and throws nothing: the caller then asks each
    /// for its result in turn (its failure unwrapped), or reports its own error instead.
    /// </summary>
    public static void Quietly(IEnumerable<Task> tasks)
    {
        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException)
        {
            // Each failure is the caller's to see, in its turn, or not at all behind its own error.
        }
    }
}
