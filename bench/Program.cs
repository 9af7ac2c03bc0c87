using BenchmarkDotNet.Running;
using MemristorGrid.Bench;

// Benchmarks report ratios measured side by side in one run (this machine is shared and noisy).
//   dotnet run -c Release --project bench -- --filter '*'     (BenchmarkDotNet: kernels, grain vs reference)
//   dotnet run -c Release --project bench -- scale            (pinned silo processes: scale-out efficiency)
//   dotnet run -c Release --project bench -- ratio            (grains vs reference simulator in CPU time)
//   dotnet run -c Release --project bench -- irdrop           (a parasitic MVM against an ideal one, per solver path)
//   dotnet run -c Release --project bench -- kernels          (a tile MVM against the FMA peak and ONNX Runtime MatMul)
//   dotnet run -c Release --project bench -- evaluation       (engine forward and analog runs against ONNX Runtime, per sample × evaluation)
//   dotnet run -c Release --project bench -- solver           (the adaptive ODE's evaluations and quality against fixed-step Euler)
//   dotnet run -c Release --project bench -- unet             (the U-Net: engine forward and analog passes against ONNX Runtime, per sample × evaluation)
//   dotnet run -c Release --project bench -- memory           (the main job's peak RSS, CPU and wall time up to 10^6 samples, embedded silo and reference)
//   dotnet run -c Release --project bench -- neighbours       (class accuracy's neighbour search against the scan it replaces, on generated latents)
if (args.Length > 0 && args[0] == "scale") return await ScalingBenchmark.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "ratio") return await GrainCpuRatio.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "calls") return await TileCallOverhead.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "irdrop") return ParasiticMvmRatio.Run(args[1..]);
if (args.Length > 0 && args[0] == "kernels") return TileKernelRatio.Run(args[1..]);
if (args.Length > 0 && args[0] == "solver") return SolverWork.Run(args[1..]);
if (args.Length > 0 && args[0] == "evaluation") return EvaluationCost.Run(args[1..]);
if (args.Length > 0 && args[0] == "unet") return UNetEvaluationCost.Run(args[1..]);
if (args.Length > 0 && args[0] == "memory") return await MainJobMemory.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "neighbours") return NeighbourSearch.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
