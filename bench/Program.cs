using BenchmarkDotNet.Running;

// Benchmarks report ratios measured side by side in one run (this machine is shared and noisy).
//   dotnet run -c Release --project bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
