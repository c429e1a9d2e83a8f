using System.Text.Json;

namespace Douyin.EventBus;

/// <summary>
/// The explicit registry of the events a service knows, by name (the routing key), filled by
/// <c>AddSubscription</c> and <c>AddEvent</c>. Nothing is discovered by scanning assemblies.
/// </summary>
public sealed class EventBusSubscriptionInfo
{
    public Dictionary<string, Type> EventTypes { get; } = [];

    /// <summary>The events this service's queue is bound to.</summary>
    public HashSet<string> SubscribedEvents { get; } = [];

    public JsonSerializerOptions JsonSerializerOptions { get; } = new(JsonSerializerDefaults.Web);

    public static string GetEventName(Type eventType) => eventType.Name;

    internal void Register(Type eventType)
    {
        var name = GetEventName(eventType);
        if (EventTypes.TryGetValue(name, out var known) && known != eventType)
        {
            throw new InvalidOperationException($"Event name {name} is used by both {known.FullName} and {eventType.FullName}.");
        }
        EventTypes[name] = eventType;
    }

    internal string GetKnownEventName(Type eventType)
    {
        var name = GetEventName(eventType);
        return EventTypes.TryGetValue(name, out var known) && known == eventType
            ? name
            : throw new InvalidOperationException($"{eventType.Name} is not registered: call AddEvent<{eventType.Name}>() or AddSubscription<{eventType.Name}, …>().");
    }
}
