namespace ImpactModel.Worker.Cli;

/// <summary>The exit codes of PRODUCT.md's contract.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int InvalidInput = 2;
    public const int Cancelled = 130;
}
