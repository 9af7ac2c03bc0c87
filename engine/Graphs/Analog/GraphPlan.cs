using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Graphs.Analog;

/// <summary>
/// How a general graph's products with weights sit on crossbar tiles and chips: each weighted node's
/// augmented matrix [inputs + bias row × outputs] (a Conv's unrolled Cin·kh·kw × Cout) cut into tiles
/// of the profile's size, packed onto chips in graph order, as <see cref="DeploymentPlan"/> does for a
/// layer stack. A tile's inputs are analog when every weighted node that feeds them (through analog
/// periphery and wiring) sits on the tile's chip; otherwise — another chip, the digital unit — they are
/// digitised at the sender and re-driven by the tile's DAC. Partial sums computed away from a column's
/// home chip are digitised too.
/// </summary>
public sealed class GraphPlan
{
    private GraphPlan(IReadOnlyList<WeightedNode> layers, IReadOnlyList<TilePlan> tiles, int[][] layerTiles, int chips, MappingParameters mapping, bool scoreDigitised)
    {
        (Layers, Tiles, LayerTiles, ChipCount, Mapping, ScoreDigitised) = (layers, tiles, layerTiles, chips, mapping, scoreDigitised);
        DenseLayers = layers.Select(l => new DenseLayer(l.MatrixInputs, l.MatrixOutputs, l.Weights, l.Bias)).ToArray();
        // Tiles are dealt onto chips in plan order, so each layer's tiles on one chip are a contiguous run of its plan order.
        var steps = new List<GraphChipStep>();
        LayerSteps = layerTiles.Select((indices, l) => indices.GroupBy(t => tiles[t].Chip)
            .Select(g => { var step = new GraphChipStep(steps.Count, l, g.Key, g.ToArray()); steps.Add(step); return step; }).ToArray()).ToArray();
        Steps = steps;
    }

    /// <summary>
    /// Digitised signals crossing each chip pair in one traversal: (from, to) → count. A tile's input row from another chip crosses once
    /// per vector it is applied to (a multiplexed Conv's every pixel), a partial sum computed away from its column's home chip once per
    /// vector, and the score once per value when it reaches the integrators (chip 0) from elsewhere. Values to and from the digital unit
    /// are not counted as links (where that unit sits is not modelled).
    /// </summary>
    public IReadOnlyDictionary<(int From, int To), long> ChipCrossings(int scoreValues, IReadOnlyList<int> scoreSources)
    {
        var map = new SortedDictionary<(int, int), long>();
        void Add(int from, int to, long signals) => map[(from, to)] = map.GetValueOrDefault((from, to)) + signals;
        foreach (var t in Tiles)
        {
            int vectors = Layers[t.Layer].VectorsPerSample;
            for (int r = 0; r < t.RowCount; r++)
                if (t.ArrivesOverLink(r) && t.RowSourceChips[r] >= 0) Add(t.RowSourceChips[r], t.Chip, vectors);
            if (t.DigitisedOutputs) Add(t.Chip, t.HomeChip, (long)vectors * t.ColCount);
        }
        foreach (int chip in scoreSources.Where(c => c >= 0 && c != DeploymentPlan.IntegratorChip)) Add(chip, DeploymentPlan.IntegratorChip, scoreValues);
        return map;
    }

    /// <summary>The chips the score's signals come from (a source of −1 is the digital unit).</summary>
    public IReadOnlyList<int> ScoreSources { get; private init; } = [];

    /// <summary>A pass's chip calls: per layer, its tiles on each chip it spans, in chip order.</summary>
    public IReadOnlyList<GraphChipStep> Steps { get; }
    public GraphChipStep[][] LayerSteps { get; }

    /// <summary>The weighted nodes on tiles, in execution order; tile plans name them by index (their "layer").</summary>
    public IReadOnlyList<WeightedNode> Layers { get; }
    /// <summary>The same matrices as the dense layers conductance mapping programs.</summary>
    public IReadOnlyList<DenseLayer> DenseLayers { get; }
    public IReadOnlyList<TilePlan> Tiles { get; }
    public int[][] LayerTiles { get; }
    public int ChipCount { get; }
    public MappingParameters Mapping { get; }
    /// <summary>Whether the score reaches the integrators (on chip 0) digitised: from another chip or from the digital unit.</summary>
    public bool ScoreDigitised { get; }

    public static GraphPlan Create(ScoreGraph graph, MappingParameters mapping)
    {
        var layers = graph.Nodes.OfType<WeightedNode>().Where(n => n.Unit == GraphUnit.Tiles).ToList();
        if (layers.Any(l => l is ConvNode { Groups: > 1 }))
            throw new UserInputException("grouped convolutions are not mapped to tiles yet (each group would be its own matrix)");
        var homeOf = new Dictionary<GraphNode, int[]>(); // per weighted node: the home chip of each output column
        var producer = new Dictionary<int, GraphNode>();
        foreach (var node in graph.Nodes) foreach (int o in node.Outputs) producer[o] = node;
        var tiles = new List<TilePlan>();
        var layerTiles = new int[layers.Count][];
        int slot = 0, rowsPerTile = mapping.TileRows, colsPerTile = mapping.TileCols;
        for (int l = 0; l < layers.Count; l++)
        {
            var node = layers[l];
            var sources = SourceChips(graph, node.Inputs[0], producer, homeOf);
            int rows = node.MatrixInputs + 1, cols = node.MatrixOutputs;
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
                    int biasRow = r0 + nr == rows ? nr - 1 : -1;
                    // Analog only when everything feeding the node is on this chip; the digital unit and other chips send through ADC, link and DAC.
                    bool analog = sources.Count == 1 && sources.Single() == chip && !mapping.DigitalTileInputs;
                    var digitised = Enumerable.Range(0, nr).Select(r => r != biasRow && !analog).ToArray();
                    // A row from another chip arrives over a link; one from the digital unit (−1) is re-driven by this tile's DAC.
                    int remote = sources.Where(s => s >= 0 && s != chip).DefaultIfEmpty(chip).First();
                    var rowSources = Enumerable.Range(0, nr).Select(r => r == biasRow || analog ? chip : remote).ToArray();
                    indices.Add(tiles.Count);
                    tiles.Add(new TilePlan(tiles.Count, l, rb, cb, r0, nr, c0, nc, chip, homeChip, biasRow, digitised, rowSources, chip != homeChip));
                }
                for (int c = cb * colsPerTile; c < Math.Min(cols, (cb + 1) * colsPerTile); c++) home[c] = homeChip;
            }
            layerTiles[l] = indices.ToArray();
            homeOf[node] = home;
        }
        int chips = (slot + mapping.TilesPerChip - 1) / mapping.TilesPerChip;
        if (tiles.Count > DeploymentPlan.MaxTiles)
            throw UserInputException.ForSetting("mapping.tile_rows", $"and mapping.tile_cols ({mapping.TileRows} × {mapping.TileCols}) cut this network into {tiles.Count} tiles on {chips} chips; at most {DeploymentPlan.MaxTiles} are simulated: use larger tiles");
        var scoreSources = SourceChips(graph, graph.OutputValue, producer, homeOf);
        bool scoreDigitised = scoreSources.Any(c => c != DeploymentPlan.IntegratorChip);
        return new GraphPlan(layers, tiles, layerTiles, chips, mapping, scoreDigitised) { ScoreSources = scoreSources.Order().ToArray() };
    }

    /// <summary>
    /// The chips a value's signals come from: the home chips of the weighted nodes that produced it through
    /// periphery and wiring; the integrator's chip for x; −1 for the digital unit. A controller value adds no source:
    /// it is a DAC voltage held on the chip where it is used.
    /// </summary>
    private static HashSet<int> SourceChips(ScoreGraph graph, int value, Dictionary<int, GraphNode> producer, Dictionary<GraphNode, int[]> homeOf)
    {
        var chips = new HashSet<int>();
        var seen = new HashSet<int>();
        var stack = new Stack<int>([value]);
        while (stack.Count > 0)
        {
            int v = stack.Pop();
            if (!seen.Add(v)) continue;
            if (v == graph.XValue) { chips.Add(DeploymentPlan.IntegratorChip); continue; }
            if (!producer.TryGetValue(v, out var node)) continue;
            switch (node.Unit)
            {
                case GraphUnit.Tiles: chips.UnionWith(homeOf[node]); break;
                case GraphUnit.Digital: chips.Add(-1); break;
                case GraphUnit.Controller: break;
                default: foreach (int i in node.Inputs) stack.Push(i); break;
            }
        }
        return chips;
    }
}

/// <summary>One layer's tiles on one chip: one chip call of a pass, returning the chip's partial sums of the layer's outputs.</summary>
public sealed record GraphChipStep(int Index, int Layer, int Chip, int[] Tiles);
