using System.Buffers;

namespace MemristorGrid.Engine.Crossbars;

/// <summary>A tile's digitised inputs: rows that arrive through a DAC (and over a link, an ADC first).</summary>
public sealed partial class CrossbarTile
{
    /// <summary>
    /// Every row but the bias through the DAC (digital tile inputs): one vectorised pass over the batch,
    /// then each sample's bias value put back and its count taken out, rather than a scalar pass per sample.
    /// </summary>
    private int DigitiseAllButBias(Span<float> x, int count)
    {
        int rows = Plan.RowCount, bias = Plan.BiasRow;
        float[] saved = ArrayPool<float>.Shared.Rent(count);
        try
        {
            for (int i = 0; i < count; i++) saved[i] = x[i * rows + bias];
            int overflows = _dac.Apply(x);
            for (int i = 0; i < count; i++)
            {
                _dac.Apply(saved[i], out bool over);
                if (over) overflows--;
                x[i * rows + bias] = saved[i];
            }
            return overflows;
        }
        finally { ArrayPool<float>.Shared.Return(saved); }
    }

    /// <summary>Rows arriving digitised: through the sender's ADC when they crossed a link, then this tile's DAC.</summary>
    private void DigitiseInputs(Span<float> x, ref int overflows, ref int adcOverflows)
    {
        foreach (int r in _digitisedRows)
        {
            float v = x[r];
            if (_adcRows[r])
            {
                v = _adc.Apply(v, out bool clipped);
                if (clipped) adcOverflows++;
            }
            v = _dac.Apply(v, out bool over);
            if (over) overflows++;
            x[r] = v;
        }
    }
}
