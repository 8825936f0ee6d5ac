using Microsoft.Extensions.Logging;

namespace ImpactModel.Worker.Serve;

/// <summary>One line per event; the host's logging configuration decides where and how they are written.</summary>
internal static partial class ServeLog
{
    [LoggerMessage(1, LogLevel.Information,
        "serve: worker {Worker} watching {Inbox} (runs to {Outbox}) and {PilotInbox} (pilots to {PilotOutbox}); lease {LeaseSeconds} s, scan every {ScanSeconds} s")]
    public static partial void Watching(ILogger logger, string worker, string inbox, string outbox, string pilotInbox, string pilotOutbox, double leaseSeconds,
        double scanSeconds);

    [LoggerMessage(2, LogLevel.Information, "{File}: started")]
    public static partial void Started(ILogger logger, string file);

    [LoggerMessage(3, LogLevel.Information, "{File}: finished in {ElapsedSeconds:F1} s: {RunFolder}")]
    public static partial void Finished(ILogger logger, string file, double elapsedSeconds, string runFolder);

    [LoggerMessage(4, LogLevel.Warning, "{File}: failed after {ElapsedSeconds:F1} s: {Cause}")]
    public static partial void Failed(ILogger logger, string file, double elapsedSeconds, string cause);

    [LoggerMessage(5, LogLevel.Information, "{File}: interrupted after {ElapsedSeconds:F1} s; returned to the inbox")]
    public static partial void Interrupted(ILogger logger, string file, double elapsedSeconds);

    [LoggerMessage(6, LogLevel.Warning, "{File}: lease of {LeaseSeconds} s ran out (its worker stopped); returned to the inbox")]
    public static partial void Expired(ILogger logger, string file, double leaseSeconds);

    [LoggerMessage(7, LogLevel.Warning, "{File}: cannot go back to the inbox (a file of that name is there); it stays in claimed/")]
    public static partial void CannotReturn(ILogger logger, string file);

    [LoggerMessage(8, LogLevel.Information, "serve: stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(9, LogLevel.Error, "serve: {Cause}")]
    public static partial void Fault(ILogger logger, string cause);

    [LoggerMessage(10, LogLevel.Warning, "{File}: lease of {LeaseSeconds} s ran out (its worker stopped) after its run folder was complete; moved to done: {RunFolder}")]
    public static partial void CompletedExpired(ILogger logger, string file, double leaseSeconds, string runFolder);

    [LoggerMessage(11, LogLevel.Warning, "serve: removed the abandoned partial folder {Folder} (its writer stopped)")]
    public static partial void RemovedPartial(ILogger logger, string folder);
}
