using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Douyin.Web.Gateway;

/// <summary>
/// Chat's load balancing (cluster setting <c>LoadBalancingPolicy: AccessToken</c>). A SignalR connection's negotiate,
/// its WebSocket and any fallback transport requests must reach the replica that holds it; each carries the caller's
/// token, in <c>access_token</c> (browsers cannot set WebSocket headers) or a bearer header, so the token picks the
/// replica. Rendezvous hashing: every destination is weighed by a hash of the token and its id, the heaviest wins, so
/// the choice depends neither on the order YARP lists destinations in nor on the edge replica (FNV-1a, not
/// string.GetHashCode, which differs between processes), and a replica that goes away moves only its own tokens.
/// Requests without such a token (the API's polling sends <c>?token=</c>) are spread at random.
/// </summary>
public sealed class AccessTokenAffinity : ILoadBalancingPolicy
{
    public const string PolicyName = "AccessToken";

    public string Name => PolicyName;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count <= 1)
        {
            return availableDestinations.Count == 0 ? null : availableDestinations[0];
        }
        if (AffinityKey(context.Request) is not { Length: > 0 } key)
        {
            return availableDestinations[Random.Shared.Next(availableDestinations.Count)];
        }
        var keyHash = Fnv1a(2166136261u, key);
        DestinationState? chosen = null;
        var heaviest = 0u;
        foreach (var destination in availableDestinations)
        {
            var weight = Mix(Fnv1a(keyHash, destination.DestinationId));
            if (chosen is null || weight > heaviest)
            {
                (chosen, heaviest) = (destination, weight);
            }
        }
        return chosen;
    }

    static string? AffinityKey(HttpRequest request) =>
        request.Query["access_token"].FirstOrDefault() ?? ApiParameters.BearerToken(request);

    static uint Fnv1a(uint hash, string text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }

    // MurmurHash3's finalizer: destination ids differ only in their last characters, which FNV-1a alone spreads poorly.
    static uint Mix(uint hash)
    {
        hash = (hash ^ (hash >> 16)) * 0x85EBCA6Bu;
        hash = (hash ^ (hash >> 13)) * 0xC2B2AE35u;
        return hash ^ (hash >> 16);
    }
}
