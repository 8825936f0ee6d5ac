using System.Numerics;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Runtime.Intrinsics;
using ImpactModel.Random;

namespace ImpactModel.Tests.Random;

/// <summary>
/// Results must be byte-identical on every machine, and the platform's transcendental functions
/// (<see cref="Math.Exp"/>, <see cref="Math.Log(double)"/>, <see cref="Math.Pow"/>, their
/// <see cref="MathF"/>, <c>double.Exp</c>, vector and generic-math forms) come from the C library
/// or the JIT and may differ in the last bit between machines. So the engine calls
/// <see cref="DeterministicMath"/> instead, and this test reads the IL of every method in the engine
/// assembly and fails on any call (or delegate) to such a function.
/// </summary>
/// <remarks>
/// Exempt: <c>ImpactModel.Pilot</c>, the power calculator's analytic formulas (normal quantiles,
/// log-gamma, Cohen's h), which size a pilot and decide no person's outcome, tally or written
/// result of a run. Allowed everywhere: the <see cref="Math"/> and <see cref="MathF"/> functions that
/// IEEE-754 defines exactly or as correctly rounded (square root, rounding, min/max, ...), which
/// give the same bits on every machine. Fused multiply-add is not on that list, though correctly
/// rounded: the engine keeps a*b+c as two roundings everywhere (see <see cref="DeterministicMath"/>).
/// </remarks>
public class PlatformMathScanTests
{
    private const string ExemptNamespace = "ImpactModel.Pilot";

    private static readonly HashSet<string> CorrectlyRounded =
    [
        "Abs", "BigMul", "BitDecrement", "BitIncrement", "Ceiling", "Clamp", "CopySign", "DivRem", "Floor",
        "ILogB", "Max", "MaxMagnitude", "Min", "MinMagnitude", "Round", "ScaleB", "Sign", "Sqrt", "Truncate",
    ];

    // Looked for on the other numeric types of the platform: double, float, Half, NFloat, the vectors,
    // TensorPrimitives, Complex and the generic-math interfaces.
    private static readonly HashSet<string> Transcendental =
    [
        "Exp", "Exp2", "Exp10", "ExpM1", "Exp2M1", "Exp10M1", "Log", "Log2", "Log10", "LogP1", "Log2P1", "Log10P1",
        "Pow", "Cbrt", "Hypot", "RootN", "Sin", "Cos", "Tan", "SinCos", "SinPi", "CosPi", "TanPi", "SinCosPi",
        "Asin", "Acos", "Atan", "Atan2", "AsinPi", "AcosPi", "AtanPi", "Atan2Pi", "Sinh", "Cosh", "Tanh",
        "Asinh", "Acosh", "Atanh", "Sigmoid", "SoftMax", "ReciprocalEstimate", "ReciprocalSqrtEstimate",
        "FusedMultiplyAdd", "MultiplyAddEstimate",
    ];

    [Fact]
    public void Engine_code_outside_the_pilot_calls_no_platform_transcendental_function()
    {
        string engine = typeof(DeterministicMath).Assembly.Location;
        List<string> calls = PlatformMathCalls(engine, type => !InNamespace(type, ExemptNamespace));
        Assert.True(calls.Count == 0,
            "engine code calls the platform's transcendental maths, whose last bit may differ between machines; "
            + "use ImpactModel.Random.DeterministicMath instead:\n  " + string.Join("\n  ", calls));
    }

    [Fact]
    public void The_scan_finds_each_form_of_platform_call_and_lets_correctly_rounded_ones_pass()
    {
        string tests = typeof(PlatformMathScanTests).Assembly.Location;
        string fixture = typeof(Fixture).FullName!;
        List<string> calls = PlatformMathCalls(tests, type => type == fixture);
        Assert.Equal(
            new[]
            {
                $"{fixture}.Delegate → System.Math.Cos",
                $"{fixture}.Generic → System.Numerics.IExponentialFunctions`1.Exp",
                $"{fixture}.Several → System.Double.Log",
                $"{fixture}.Several → System.Math.Exp",
                $"{fixture}.Several → System.MathF.Pow",
                $"{fixture}.Several → System.Runtime.Intrinsics.Vector256.Exp",
            },
            calls);
    }

    /// <summary>Calls the scan must report (all but Sqrt and Round), in the forms the compiler emits.</summary>
    private static class Fixture
    {
        public static double Several(double x)
            => Math.Exp(x) + double.Log(x) + MathF.Pow((float)x, 2) + Vector256.Exp(Vector256.Create(x)).GetElement(0)
            + Math.Sqrt(x) + Math.Round(x);

        public static T Generic<T>(T x) where T : IExponentialFunctions<T> => T.Exp(x);

        public static Func<double, double> Delegate() => Math.Cos;
    }

    private static bool InNamespace(string fullName, string ns) => fullName.StartsWith(ns + ".", StringComparison.Ordinal);

    /// <summary>
    /// "Type.Method → callee" for every call, virtual call, object creation or delegate (ldftn) in
    /// the method bodies of the types whose full name <paramref name="scanType"/> accepts.
    /// </summary>
    private static List<string> PlatformMathCalls(string assemblyPath, Func<string, bool> scanType)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        MetadataReader md = pe.GetMetadataReader();
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (TypeDefinitionHandle th in md.TypeDefinitions)
        {
            TypeDefinition type = md.GetTypeDefinition(th);
            string fullName = FullName(md, type);
            if (!scanType(fullName))
                continue;
            foreach (MethodDefinitionHandle mh in type.GetMethods())
            {
                MethodDefinition method = md.GetMethodDefinition(mh);
                if (method.RelativeVirtualAddress == 0)
                    continue; // abstract or extern: no body
                BlobReader il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader();
                List<EntityHandle> callees;
                try
                {
                    callees = MethodOperands(il);
                }
                catch (KeyNotFoundException e)
                {
                    throw new InvalidOperationException($"{fullName}.{md.GetString(method.Name)}: the IL scanner met an unknown opcode ({e.Message})", e);
                }

                foreach (EntityHandle callee in callees)
                {
                    if (Callee(md, callee) is ({ } ns, { } typeName, { } name) && IsPlatformTranscendental(ns, typeName, name))
                        found.Add($"{fullName}.{md.GetString(method.Name)} → {ns}.{typeName}.{name}");
                }
            }
        }

        return [.. found];
    }

    private static bool IsPlatformTranscendental(string ns, string type, string name)
    {
        if (ns == "System" && type is "Math" or "MathF")
            return !CorrectlyRounded.Contains(name);
        bool numeric = (ns == "System" && type is "Double" or "Single" or "Half")
            || (ns == "System.Runtime.InteropServices" && type == "NFloat")
            || ns == "System.Numerics" || ns.StartsWith("System.Numerics.", StringComparison.Ordinal)
            || ns == "System.Runtime.Intrinsics";
        return numeric && Transcendental.Contains(name);
    }

    /// <summary>The type's full name as reflection writes it: Namespace.Outer+Nested.</summary>
    private static string FullName(MetadataReader md, TypeDefinition type)
    {
        string path = md.GetString(type.Name);
        while (type.GetDeclaringType() is { IsNil: false } outer)
        {
            type = md.GetTypeDefinition(outer);
            path = md.GetString(type.Name) + "+" + path;
        }
        string ns = md.GetString(type.Namespace);
        return ns.Length == 0 ? path : ns + "." + path;
    }

    /// <summary>Namespace, type and name of a called method that another assembly defines; null for our own.</summary>
    private static (string? Namespace, string? Type, string? Name) Callee(MetadataReader md, EntityHandle handle)
    {
        if (handle.Kind == HandleKind.MethodSpecification) // a generic method's instantiation
            handle = md.GetMethodSpecification((MethodSpecificationHandle)handle).Method;
        if (handle.Kind != HandleKind.MemberReference)
            return default; // a method of the scanned assembly itself
        MemberReference member = md.GetMemberReference((MemberReferenceHandle)handle);
        EntityHandle parent = member.Parent;
        if (parent.Kind == HandleKind.TypeSpecification) // a generic type's instantiation, e.g. IExponentialFunctions<T>
        {
            BlobReader blob = md.GetBlobReader(md.GetTypeSpecification((TypeSpecificationHandle)parent).Signature);
            if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance)
                return default;
            blob.ReadSignatureTypeCode(); // class or value type
            parent = blob.ReadTypeHandle();
        }
        if (parent.Kind != HandleKind.TypeReference)
            return default;
        TypeReference type = md.GetTypeReference((TypeReferenceHandle)parent);
        string ns = md.GetString(type.Namespace);
        while (type.ResolutionScope.Kind == HandleKind.TypeReference) // nested: namespace of the outermost
        {
            type = md.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
            ns = md.GetString(type.Namespace);
        }
        return (ns, md.GetString(md.GetTypeReference((TypeReferenceHandle)parent).Name), md.GetString(member.Name));
    }

    /// <summary>The method tokens of call, callvirt, newobj, ldftn, ldvirtftn and jmp in a method body.</summary>
    private static List<EntityHandle> MethodOperands(BlobReader il)
    {
        var methods = new List<EntityHandle>();
        while (il.RemainingBytes > 0)
        {
            int code = il.ReadByte();
            if (code == 0xFE)
                code = 0xFE00 | il.ReadByte();
            if (!Operands.Value.TryGetValue(code, out OperandType operand))
                throw new KeyNotFoundException($"opcode 0x{code:X} at offset {il.Offset - 1}");
            switch (operand)
            {
                case OperandType.InlineMethod:
                    methods.Add(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                case OperandType.InlineSwitch:
                    // The count first, then that many targets. (Not `il.Offset += 4 * il.ReadInt32()`: the
                    // compound assignment reads Offset before ReadInt32 moves it, skipping 4 bytes too few.)
                    int targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                default:
                    il.Offset += OperandSize(operand);
                    break;
            }
        }

        return methods;
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4, // branch targets, tokens, int32, float32
    };

    /// <summary>Operand type of every IL opcode, keyed by its value (0xFExx for two-byte codes), from <see cref="OpCodes"/>.</summary>
    private static readonly Lazy<Dictionary<int, OperandType>> Operands = new(() => typeof(OpCodes)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => (int)(ushort)o.Value, o => o.OperandType));
}
