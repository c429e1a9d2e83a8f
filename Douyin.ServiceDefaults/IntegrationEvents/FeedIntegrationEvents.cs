using Douyin.ServiceDefaults.EventBus;

namespace Douyin.ServiceDefaults.IntegrationEvents;

// Events that cross service boundaries live here once, so publisher and consumers agree on names and shapes.
// The routing key is the type name: renaming a record is a breaking change for running consumers.

/// <summary>Douyin.Feed stored a new video; Social counts it in the author's <c>work_count</c>.</summary>
public sealed record VideoPublishedIntegrationEvent(long VideoId, long AuthorId) : IntegrationEvent;
