using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Douyin.Api;

/// <summary>
/// The caller's address as a key for per-client limits. Behind Douyin.Web it is the address the edge saw: the edge
/// overwrites X-Forwarded-For and the forwarded-headers middleware (ASPNETCORE_FORWARDEDHEADERS_ENABLED) applies it.
/// </summary>
public static class ClientAddress
{
    public static string Prefix(HttpContext context) => Prefix(context.Connection.RemoteIpAddress);

    /// <summary>IPv4 as is (an IPv4-mapped IPv6 address too); IPv6 by its /64, which one subscriber usually holds whole.</summary>
    public static string Prefix(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
