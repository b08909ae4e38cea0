using System.Globalization;

namespace Socks.Core;

/// <summary>A named, fixed part of a <see cref="DescriptorBudget"/>.</summary>
public sealed class DescriptorBudgetPart
{
    internal DescriptorBudgetPart(string name, int descriptors, int connections, int overhead)
    {
        Name = name;
        Descriptors = descriptors;
        Connections = connections;
        Overhead = overhead;
    }

    /// <summary>The part's name ("log files", "MCP").</summary>
    public string Name { get; }

    /// <summary>All the descriptors the part stands for.</summary>
    public int Descriptors { get; }

    /// <summary>For a part of connections (<see cref="DescriptorBudget.ReserveUpTo"/>), the connection limit granted; otherwise <see cref="Descriptors"/>.</summary>
    public int Connections { get; }

    /// <summary>For a part of connections, the descriptors besides one per connection; otherwise 0.</summary>
    public int Overhead { get; }

    /// <summary>The part as the budget line shows it: <c>log files 4</c>, or <c>MCP 67 (64 connections + 3)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Overhead == 0 && Connections == Descriptors
        ? string.Create(CultureInfo.InvariantCulture, $"{Name} {Descriptors}")
        : string.Create(CultureInfo.InvariantCulture, $"{Name} {Descriptors} ({Connections} connections + {Overhead})");
}
