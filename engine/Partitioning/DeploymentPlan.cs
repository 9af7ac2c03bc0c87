using System.Globalization;
using System.Text;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Partitioning;

/// <summary>
/// How a score network sits on hardware: each layer split into tiles of at most rows × cols, tiles
/// filled into chips (macros) in layer / column-block / row-block order so the partial sums of one
/// column block stay together. A column block's partial sums are added, embedded and activated on its
/// home chip (the chip of its first row block); any signal that crosses a chip is digitised (ADC → link
/// → DAC). The integrator channels sit on chip 0. A value object: equal inputs give an equal plan.
/// </summary>
public sealed class DeploymentPlan
{
    private DeploymentPlan(IReadOnlyList<TilePlan> tiles, int[][] layerTiles, int chips, int[] layerInputs, int[] layerOutputs,
        bool[] integratorDigitised, int[] integratorSourceChips, MappingParameters mapping)
    {
        Tiles = tiles;
        LayerTiles = layerTiles;
        ChipCount = chips;
        LayerInputs = layerInputs;
        LayerOutputs = layerOutputs;
        IntegratorDigitisedInputs = integratorDigitised;
        IntegratorSourceChips = integratorSourceChips;
        Mapping = mapping;
    }

    public IReadOnlyList<TilePlan> Tiles { get; }

    /// <summary>The tile whose <see cref="TilePlan.Id"/> is <paramref name="id"/>.</summary>
    public TilePlan Tile(string id) => Tiles.FirstOrDefault(t => t.Id == id) ?? throw new ArgumentException($"the plan has no tile {id}");

    /// <summary>Tile indices of each layer, ordered by column block then row block (the summation order).</summary>
    public int[][] LayerTiles { get; }
    public int ChipCount { get; }
    public int[] LayerInputs { get; }
    public int[] LayerOutputs { get; }
    public int LayerCount => LayerInputs.Length;
    public const int IntegratorChip = 0;

    /// <summary>The most tiles a deployment may have (the large latent model uses 49, its analog decoder 161).</summary>
    public const int MaxTiles = 10_000;

    /// <summary>Per output dimension: whether the score reaches its integrator channel through an ADC and link.</summary>
    public bool[] IntegratorDigitisedInputs { get; }
    public int[] IntegratorSourceChips { get; }
    public MappingParameters Mapping { get; }

    public static DeploymentPlan Create(ScoreNetwork network, MappingParameters mapping) => Create(network.Layers, mapping);

    /// <summary>The plan of any stack of dense layers (e.g. the VAE decoder programmed beside the score network).</summary>
    public static DeploymentPlan Create(IReadOnlyList<DenseLayer> layers, MappingParameters mapping)
    {
        int rowsPerTile = mapping.RowsPerTile, colsPerTile = mapping.TileCols;
        var tiles = new List<TilePlan>();
        var layerTiles = new int[layers.Count][];
        var layerInputs = layers.Select(l => l.Inputs).ToArray();
        var layerOutputs = layers.Select(l => l.Outputs).ToArray();
        int[]? previousHome = null; // home chip of every output of the previous layer
        int slot = 0;
        for (int l = 0; l < layers.Count; l++)
        {
            int rows = layerInputs[l] + 1, cols = layerOutputs[l];
            int rowBlocks = (rows + rowsPerTile - 1) / rowsPerTile, colBlocks = (cols + colsPerTile - 1) / colsPerTile;
            var indices = new List<int>();
            var home = new int[cols];
            for (int cb = 0; cb < colBlocks; cb++)
            {
                int homeChip = slot / mapping.TilesPerChip;
                for (int rb = 0; rb < rowBlocks; rb++)
                {
                    int chip = slot / mapping.TilesPerChip;
                    slot++;
                    int r0 = rb * rowsPerTile, nr = Math.Min(rowsPerTile, rows - r0);
                    int c0 = cb * colsPerTile, nc = Math.Min(colsPerTile, cols - c0);
                    var sources = new int[nr];
                    var digitised = new bool[nr];
                    int biasRow = -1;
                    for (int r = 0; r < nr; r++)
                    {
                        int input = r0 + r;
                        if (input == layerInputs[l]) { biasRow = r; sources[r] = chip; continue; }
                        sources[r] = previousHome is null ? IntegratorChip : previousHome[input];
                        digitised[r] = sources[r] != chip || mapping.DigitalTileInputs;
                    }
                    indices.Add(tiles.Count);
                    tiles.Add(new TilePlan(tiles.Count, l, rb, cb, r0, nr, c0, nc, chip, homeChip, biasRow, digitised, sources, chip != homeChip));
                }
                for (int c = cb * colsPerTile; c < Math.Min(cols, (cb + 1) * colsPerTile); c++) home[c] = homeChip;
            }
            layerTiles[l] = indices.ToArray();
            previousHome = home;
        }
        var integratorDigitised = previousHome!.Select(chip => chip != IntegratorChip).ToArray();
        int chips = (slot + mapping.TilesPerChip - 1) / mapping.TilesPerChip;
        if (tiles.Count > MaxTiles)
            throw UserInputException.ForSetting("mapping.tile_rows", $"and mapping.tile_cols ({mapping.TileRows} × {mapping.TileCols}) cut this network into {tiles.Count} tiles on {chips} chips; "
                + $"at most {MaxTiles} are simulated (every tile is an actor and a programmed array): use larger tiles");
        return new DeploymentPlan(tiles, layerTiles, chips, layerInputs, layerOutputs, integratorDigitised, previousHome!, mapping);
    }

    /// <summary>Signals crossing each chip pair per network evaluation: (from, to) → count.</summary>
    public IReadOnlyDictionary<(int From, int To), int> ChipCrossings()
    {
        var map = new SortedDictionary<(int, int), int>();
        void Add(int from, int to) { map[(from, to)] = map.TryGetValue((from, to), out int v) ? v + 1 : 1; }
        foreach (var t in Tiles)
        {
            for (int r = 0; r < t.RowCount; r++)
                if (t.ArrivesOverLink(r)) Add(t.RowSourceChips[r], t.Chip);
            if (t.DigitisedOutputs) for (int c = 0; c < t.ColCount; c++) Add(t.Chip, t.HomeChip);
        }
        for (int d = 0; d < IntegratorDigitisedInputs.Length; d++)
            if (IntegratorDigitisedInputs[d]) Add(IntegratorSourceChips[d], IntegratorChip);
        return map;
    }

    /// <summary>A human-readable table of layers, tiles and chips.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"tiles       {Tiles.Count} tiles of ≤ {Mapping.TileRows} rows × {Mapping.TileCols} columns (differential pairs) on {ChipCount} chip(s) of {Mapping.TilesPerChip} tiles");
        for (int l = 0; l < LayerCount; l++)
        {
            var ts = LayerTiles[l].Select(i => Tiles[i]).ToList();
            sb.AppendLine(inv, $"  layer {l}   [{LayerInputs[l]} + bias → {LayerOutputs[l]}] as {ts.Max(t => t.RowBlock) + 1} row × {ts.Max(t => t.ColBlock) + 1} column blocks on chip(s) {string.Join(",", ts.Select(t => t.Chip).Distinct())}");
            foreach (var t in ts)
            {
                string flags = (t.DigitisedRowCount > 0 ? $"  {t.DigitisedRowCount} inputs via ADC/link/DAC" : "")
                    + (t.DigitisedOutputs ? $"  partial sums digitised to chip {t.HomeChip}" : "");
                sb.AppendLine(inv, $"    {t.Id,-12} rows {t.RowStart}..{t.RowStart + t.RowCount - 1}{(t.HasBias ? " (+bias)" : ""),-8} cols {t.ColStart}..{t.ColStart + t.ColCount - 1}  chip {t.Chip}{flags}");
            }
        }
        var crossings = ChipCrossings();
        if (crossings.Count == 0) sb.AppendLine("links       none (every signal stays on its chip)");
        else foreach (var ((from, to), n) in crossings) sb.AppendLine(inv, $"link        chip {from} → chip {to}: {n} signals per evaluation");
        return sb.ToString();
    }
}
