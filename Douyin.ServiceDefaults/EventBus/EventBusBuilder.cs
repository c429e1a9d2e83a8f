using Microsoft.Extensions.DependencyInjection;

namespace Douyin.ServiceDefaults.EventBus;

public interface IEventBusBuilder
{
    IServiceCollection Services { get; }
}

internal sealed class EventBusBuilder(IServiceCollection services) : IEventBusBuilder
{
    public IServiceCollection Services { get; } = services;
}
