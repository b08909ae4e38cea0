namespace Socks.Core.Connectors.Direct;

/// <summary>Every lookup slot of the <see cref="BoundedResolver"/> is taken and its wait queue is full.</summary>
internal sealed class ResolverSaturatedException : Exception
{
    /// <summary>Creates the exception with the fixed message.</summary>
    public ResolverSaturatedException()
        : base("Every name lookup slot is taken and the lookup queue is full.")
    {
    }
}
