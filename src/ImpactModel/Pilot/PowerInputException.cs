namespace ImpactModel.Pilot;

/// <summary>
/// A sizing question that has no honest answer from these inputs: a value out of range, or a target
/// no size can reach. <see cref="Option"/> names the input (as the command line spells it, without
/// the dashes) so the host can print one line naming it and exit 2. Bugs stay ordinary exceptions.
/// </summary>
public sealed class PowerInputException : Exception
{
    public PowerInputException(string option, string message) : base(message) => Option = option;

    public PowerInputException() : this("input", "invalid input") { }

    public PowerInputException(string message) : this("input", message) { }

    public PowerInputException(string message, Exception innerException) : base(message, innerException) => Option = "input";

    /// <summary>The input at fault, e.g. <c>p1</c> or <c>power</c>.</summary>
    public string Option { get; }
}
