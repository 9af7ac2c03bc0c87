using MemristorGrid.Client;

return Cli.Run(args);
