namespace MemristorGrid.Engine.Diffusion;

/// <summary>Which reverse-time equation generates samples: the reverse SDE or the probability-flow ODE.</summary>
public enum SamplerKind { Sde, Ode }
