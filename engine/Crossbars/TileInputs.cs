using System.Buffers;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Crossbars;

/// <summary>
/// A tile's digitised inputs: rows that arrive through a DAC (and over a link, the sender's ADC first). Rows
/// driven by analog neighbours on the same chip pass untouched.
/// </summary>
internal sealed class TileInputs
{
    private readonly TilePlan _plan;
    private readonly int[] _digitisedRows;
    private readonly bool[] _adcRows;
    private readonly bool _anyAdcRow;

    public TileInputs(TilePlan plan, HardwareProfile profile)
    {
        _plan = plan;
        Dac = Converters.TileDac(profile);
        Adc = Converters.Adc(profile);
        _digitisedRows = Enumerable.Range(0, plan.RowCount).Where(r => plan.DigitisedRows[r]).ToArray();
        _adcRows = Enumerable.Range(0, plan.RowCount).Select(plan.ArrivesOverLink).ToArray();
        _anyAdcRow = _digitisedRows.Any(r => _adcRows[r]);
    }

    public Quantizer Dac { get; }

    /// <summary>The ADC where signals leave or enter the chip.</summary>
    public Quantizer Adc { get; }

    /// <summary>Whether <see cref="Digitise"/> may write its inputs (it does not when no row is digitised, or every converter on
    /// the digitised rows is ideal and not a DAC pass over all rows): a caller that needs its inputs kept copies them only then.</summary>
    public bool WritesInputs =>
        _digitisedRows.Length != 0 && ((_digitisedRows.Length == _plan.RowCount && !_anyAdcRow) || !Dac.IsIdeal || (_anyAdcRow && !Adc.IsIdeal));

    /// <summary>Quantises the digitised rows of <paramref name="count"/> input vectors in place; returns the DAC's
    /// overflows and adds the ADC's to <paramref name="adcOverflows"/>.</summary>
    public int Digitise(Span<float> inputs, int count, ref int adcOverflows)
    {
        int rows = _plan.RowCount, overflows = 0;
        if (_digitisedRows.Length == 0) { } // every row analog, from this chip
        else if (_digitisedRows.Length == rows && !_anyAdcRow) overflows += Dac.Apply(inputs[..(count * rows)]); // every row through the DAC alone: one vectorised pass, the same bits
        else if (_digitisedRows.Length == rows - 1 && _plan.HasBias && !_anyAdcRow && !Dac.IsIdeal)
            overflows += DigitiseAllButBias(inputs[..(count * rows)], count);
        else if (!Dac.IsIdeal || (_anyAdcRow && !Adc.IsIdeal))
            for (int i = 0; i < count; i++) DigitiseRows(inputs.Slice(i * rows, rows), ref overflows, ref adcOverflows);
        return overflows;
    }

    /// <summary>
    /// Every row but the bias through the DAC (digital tile inputs): one vectorised pass over the batch,
    /// then each sample's bias value put back and its count taken out, rather than a scalar pass per sample.
    /// </summary>
    private int DigitiseAllButBias(Span<float> x, int count)
    {
        int rows = _plan.RowCount, bias = _plan.BiasRow;
        float[] saved = ArrayPool<float>.Shared.Rent(count);
        try
        {
            for (int i = 0; i < count; i++) saved[i] = x[i * rows + bias];
            int overflows = Dac.Apply(x);
            for (int i = 0; i < count; i++)
            {
                Dac.Apply(saved[i], out bool over);
                if (over) overflows--;
                x[i * rows + bias] = saved[i];
            }
            return overflows;
        }
        finally { ArrayPool<float>.Shared.Return(saved); }
    }

    /// <summary>One sample's digitised rows: through the sender's ADC when they crossed a link, then this tile's DAC.</summary>
    private void DigitiseRows(Span<float> x, ref int overflows, ref int adcOverflows)
    {
        foreach (int r in _digitisedRows)
        {
            float v = x[r];
            if (_adcRows[r])
            {
                v = Adc.Apply(v, out bool clipped);
                if (clipped) adcOverflows++;
            }
            v = Dac.Apply(v, out bool over);
            if (over) overflows++;
            x[r] = v;
        }
    }
}
