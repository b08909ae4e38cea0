using System.Net;
using System.Net.Sockets;

namespace ProxyHost.CommandLine;

/// <summary>Checks -b/--outbound-address: addresses, at most one per family.</summary>
internal static class OutboundOptions
{
    /// <summary>Parses the given addresses.</summary>
    /// <param name="values">The values of -b, in order.</param>
    /// <param name="addresses">The addresses, IPv4 first when both are given.</param>
    /// <returns>Null when valid, or the one-line error naming the value.</returns>
    public static string? Parse(IEnumerable<string> values, out IReadOnlyList<IPAddress> addresses)
    {
        IPAddress? v4 = null, v6 = null;
        addresses = [];
        foreach (var text in values)
        {
            if (!ArgumentParser.TryParseAddress(text, out var address))
            {
                return $"invalid address '{text}' for -b: expected an IPv4 or IPv6 address";
            }

            if (address!.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                if (v4 is not null)
                {
                    return $"invalid address '{text}' for -b: an IPv4 address ({v4}) is given already; -b takes one IPv4 and one IPv6 address";
                }

                v4 = address;
            }
            else
            {
                if (v6 is not null)
                {
                    return $"invalid address '{text}' for -b: an IPv6 address ({v6}) is given already; -b takes one IPv4 and one IPv6 address";
                }

                v6 = address;
            }
        }

        addresses = [.. new[] { v4, v6 }.OfType<IPAddress>()];
        return null;
    }
}
