using System.Collections.Immutable;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Model;

/// <summary>
/// A body's records: on whom it holds a record (coverage by group), how current they are, and
/// how good each identifier field is for each group.
/// </summary>
public sealed record DataSourceSpec(
    string Id,
    string Body,
    string? Description,
    GroupValues Coverage,
    GroupValues StaleShare,
    Parameter StaleMonths,
    ImmutableArray<FieldSpec> Fields,
    SourcePosition Position);

/// <summary>An identifier field with its error and missing rates, which may differ by group.</summary>
public sealed record FieldSpec(string Id, string? Description, GroupValues ErrorRate, GroupValues MissingRate, SourcePosition Position);
