using Microsoft.Extensions.DependencyInjection;

namespace Douyin.EventBus;

public interface IEventBusBuilder
{
    IServiceCollection Services { get; }
}

internal sealed class EventBusBuilder(IServiceCollection services) : IEventBusBuilder
{
    public IServiceCollection Services { get; } = services;
}
