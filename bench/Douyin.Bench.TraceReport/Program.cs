// Reads a dotnet-trace file and prints where a service spends its time or allocates, for docs/benchmarks.md:
//   dotnet-trace collect -p <pid> --profile dotnet-sampled-thread-time --duration 00:00:00:08 -o feed.nettrace
//   dotnet-trace collect -p <pid> --profile gc-verbose --duration 00:00:00:06 -o feed-gc.nettrace
//   dotnet run --project bench/Douyin.Bench.TraceReport -c Release -- feed.nettrace [--callers Lock.TryEnterSlow]...
// CPU: samples of threads running managed code (the sampler also samples waiting threads, which say nothing about CPU),
// by the frame on top (exclusive) and by every frame on the stack (inclusive, Douyin frames only). Allocations: the
// runtime's allocation ticks (about one per 100 KB) by type and by stack.
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Douyin.Bench.TraceReport <file.nettrace> [--callers <method text>]...");
    return 2;
}
var callers = args.Skip(1).Chunk(2).Where(p => p is ["--callers", _]).Select(p => p[1]).ToList();

using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var exclusive = new Dictionary<string, int>();
var inclusive = new Dictionary<string, int>();
var callerStacks = callers.ToDictionary(c => c, _ => new Dictionary<string, int>());
var allocatedByType = new Dictionary<string, long>();
var allocatedByStack = new Dictionary<string, long>();
var samples = 0;

foreach (var data in log.Events)
{
    if (data is GCAllocationTickTraceData tick)
    {
        allocatedByType[tick.TypeName] = allocatedByType.GetValueOrDefault(tick.TypeName) + tick.AllocationAmount64;
        var stack = string.Join("\n    ", Frames(data.CallStack()).Take(10));
        allocatedByStack[stack] = allocatedByStack.GetValueOrDefault(stack) + tick.AllocationAmount64;
    }
    // The sample profiler's payload: 2 = running managed code, 1 = outside it (waiting, or in native code).
    else if (data.ProviderName == "Microsoft-DotNETCore-SampleProfiler" && data.PayloadNames.Length > 0 && Convert.ToInt32(data.PayloadValue(0)) == 2)
    {
        samples++;
        var frames = Frames(data.CallStack()).ToList();
        if (frames.Count == 0)
        {
            continue;
        }
        exclusive[frames[0]] = exclusive.GetValueOrDefault(frames[0]) + 1;
        foreach (var frame in frames.Distinct().Where(f => f.Contains("Douyin", StringComparison.Ordinal)))
        {
            inclusive[frame] = inclusive.GetValueOrDefault(frame) + 1;
        }
        foreach (var (target, stacks) in callerStacks.Where(c => frames[0].Contains(c.Key, StringComparison.Ordinal)))
        {
            var key = string.Join("\n    ", frames.Skip(1).Take(6));
            stacks[key] = stacks.GetValueOrDefault(key) + 1;
        }
    }
}

if (samples > 0)
{
    Console.WriteLine($"{samples} samples of threads running managed code");
    Print("on top of the stack (exclusive)", exclusive, 25, v => $"{100.0 * v / samples,5:F1}%");
    Print("Douyin frames anywhere on the stack (inclusive)", inclusive, 25, v => $"{100.0 * v / samples,5:F1}%");
    foreach (var (target, stacks) in callerStacks)
    {
        Print($"callers of {target}", stacks, 5, v => $"{100.0 * v / samples,5:F1}%\n    ");
    }
}
if (allocatedByType.Count > 0)
{
    Print("allocated, by type", allocatedByType, 20, v => $"{v / 1e6,8:F1} MB");
    Print("allocated, by stack", allocatedByStack, 8, v => $"{v / 1e6,8:F1} MB\n    ");
}
return 0;

static IEnumerable<string> Frames(TraceCallStack? stack)
{
    for (; stack is not null; stack = stack.Caller)
    {
        var name = stack.CodeAddress.FullMethodName;
        yield return string.IsNullOrEmpty(name) ? $"{stack.CodeAddress.ModuleName}!? (native)" : name.Length > 140 ? name[..140] : name;
    }
}

static void Print<T>(string title, Dictionary<string, T> counts, int top, Func<T, string> format) where T : IComparable<T>
{
    Console.WriteLine($"\n== {title}");
    foreach (var (key, value) in counts.OrderByDescending(c => c.Value).Take(top))
    {
        Console.WriteLine($"{format(value)} {key}");
    }
}
