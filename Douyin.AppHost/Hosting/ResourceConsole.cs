using System.Text;
using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

/// <summary>The AppHost's console: every resource's output prefixed with its name (one colour each on a terminal), and the resource table.</summary>
internal sealed class ResourceConsole
{
    private static readonly string[] s_colours = ["\e[36m", "\e[33m", "\e[35m", "\e[32m", "\e[34m", "\e[96m", "\e[93m", "\e[95m", "\e[92m", "\e[94m"];
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _assigned = [];
    private readonly bool _useColour = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

    public void WriteLine(string name, string line)
    {
        lock (_lock)
        {
            if (!_useColour)
            {
                Console.Out.WriteLine($"[{name}] {line}");
                return;
            }
            if (!_assigned.TryGetValue(name, out var colour))
            {
                _assigned[name] = colour = s_colours[_assigned.Count % s_colours.Length];
            }
            Console.Out.WriteLine($"{colour}[{name}]\e[0m {line}");
        }
    }

    public void WriteTable(IEnumerable<ResourceEvent> resources)
    {
        var rows = resources.Select(r => (r.ResourceId, r.Snapshot.ResourceType,
            State: r.Snapshot.State + (r.Snapshot.ExitCode is { } code ? $" ({code})" : "") + (r.Snapshot.HealthStatus is { } health && r.Snapshot.State == KnownResourceStates.Running ? $", {health}" : ""),
            Urls: string.Join(' ', r.Snapshot.Urls.Select(u => u.Url)))).ToList();
        var widths = (Name: Math.Max(8, rows.Max(r => r.ResourceId.Length)), Type: Math.Max(4, rows.Max(r => r.ResourceType.Length)), State: Math.Max(5, rows.Max(r => r.State.Length)));
        var table = new StringBuilder().AppendLine();
        table.AppendLine($"{"Resource".PadRight(widths.Name)}  {"Type".PadRight(widths.Type)}  {"State".PadRight(widths.State)}  Endpoints");
        foreach (var row in rows)
        {
            table.AppendLine($"{row.ResourceId.PadRight(widths.Name)}  {row.ResourceType.PadRight(widths.Type)}  {row.State.PadRight(widths.State)}  {row.Urls}");
        }
        lock (_lock)
        {
            Console.Out.WriteLine(table.ToString());
        }
    }
}
