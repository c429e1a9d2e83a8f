// Microbenchmarks of hot paths, one class per path: dotnet run -c Release --project bench/Douyin.Bench.Micro -- --filter '*'
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
