namespace ImpactModel.Worker.Cli;

/// <summary>A bad option or argument value found after parsing (exit 2, one line).</summary>
public sealed class UsageException(string message) : Exception(message);
