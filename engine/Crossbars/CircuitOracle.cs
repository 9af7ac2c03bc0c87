using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Crossbars;

/// <summary>
/// The crossbar's nodal equations solved directly: every word-line and bit-line node is an unknown, the
/// conductance matrix is assembled from the same topology as <see cref="CrossbarCircuit"/> (driver → word
/// line segments, cells, bit-line segments → TIA input → virtual ground) and factored by banded Cholesky.
/// Nodes are numbered cell by cell, word node then bit node, so the matrix is symmetric positive definite
/// with half-bandwidth 2·cols; the cost is 2·rows·cols·(2·cols)² — the oracle for the iterative and
/// linearised paths, and the finisher when relaxation runs out of sweeps. Both wire families must be resistive.
/// </summary>
public static class CircuitOracle
{
    /// <summary>Word-line node voltages u and bit-line node voltages v, [rows × cols] row-major, volts.</summary>
    public static (double[] Word, double[] Bit) Solve(CrossbarCircuit circuit, ReadOnlySpan<double> volts)
    {
        int rows = circuit.Rows, cols = circuit.Cols, n = 2 * rows * cols, band = 2 * cols;
        var wires = circuit.Wires;
        if (!(wires.WordLineOhmsPerCell > 0 && wires.BitLineOhmsPerCell > 0))
            throw new ArgumentException("the direct solve needs resistive word and bit lines");
        if (volts.Length != rows) throw new ArgumentException($"{rows} input voltages expected, got {volts.Length}");
        var a = new double[n * (band + 1)]; // a[i·(band+1) + (band − (i − j))] = A_ij for i − band ≤ j ≤ i
        var b = new double[n];
        ref double At(int i, int j) => ref a[i * (band + 1) + band - (i - j)];
        void Stamp(int i, int j, double g) { At(i, i) += g; At(j, j) += g; At(Math.Max(i, j), Math.Min(i, j)) -= g; }
        int Word(int r, int c) => 2 * (r * cols + c);
        int Bit(int r, int c) => 2 * (r * cols + c) + 1;

        double gWord = 1 / wires.WordLineOhmsPerCell, gBit = 1 / wires.BitLineOhmsPerCell;
        double gDriver = 1 / (wires.DriverOhms + wires.WordLineOhmsPerCell), gTia = 1 / (wires.BitLineOhmsPerCell + wires.TiaInputOhms);
        var g = circuit.Conductance;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                if (c == 0) { At(Word(r, 0), Word(r, 0)) += gDriver; b[Word(r, 0)] += gDriver * volts[r]; }
                else Stamp(Word(r, c - 1), Word(r, c), gWord);
                Stamp(Word(r, c), Bit(r, c), g[r * cols + c]);
                if (r > 0) Stamp(Bit(r - 1, c), Bit(r, c), gBit);
                if (r == rows - 1) At(Bit(r, c), Bit(r, c)) += gTia;
            }

        for (int i = 0; i < n; i++) // A = L·Lᵀ in place
        {
            int first = Math.Max(0, i - band);
            for (int j = first; j <= i; j++)
            {
                double sum = At(i, j);
                for (int k = Math.Max(first, j - band); k < j; k++) sum -= At(i, k) * At(j, k);
                At(i, j) = i == j ? Math.Sqrt(sum) : sum / At(j, j);
            }
        }
        for (int i = 0; i < n; i++) // L·y = b
        {
            double sum = b[i];
            for (int k = Math.Max(0, i - band); k < i; k++) sum -= At(i, k) * b[k];
            b[i] = sum / At(i, i);
        }
        for (int i = n - 1; i >= 0; i--) // Lᵀ·x = y
        {
            double sum = b[i];
            for (int k = i + 1; k <= Math.Min(n - 1, i + band); k++) sum -= At(k, i) * b[k];
            b[i] = sum / At(i, i);
        }

        var word = new double[rows * cols];
        var bit = new double[rows * cols];
        for (int i = 0; i < rows * cols; i++) { word[i] = b[2 * i]; bit[i] = b[2 * i + 1]; }
        return (word, bit);
    }
}
