using MemristorGrid.Client.Output;
using MemristorGrid.Engine.IO;

namespace MemristorGrid.Cli.Tests;

/// <summary>
/// Outputs never replace what is not a regular file, and one output directory has one writer. As root,
/// <c>train --out /dev/full</c> once renamed a regular file over the device node; these tests use a FIFO in a
/// temporary folder instead, which the old code replaced the same way.
/// </summary>
public class OutputSafetyTests
{
    private static string Fifo(string dir, string name)
    {
        string path = Path.Combine(dir, name);
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", $"\"{path}\"")!;
        mkfifo.WaitForExit();
        Assert.Equal(FileKind.Fifo, FileKinds.Of(path));
        return path;
    }

    [Fact]
    public void File_kinds_are_told_apart_as_the_kernel_sees_them()
    {
        string dir = CliRunner.TempDir();
        File.WriteAllText(Path.Combine(dir, "plain"), "x");
        File.CreateSymbolicLink(Path.Combine(dir, "link"), Path.Combine(dir, "plain"));
        Assert.Equal(FileKind.RegularFile, FileKinds.Of(Path.Combine(dir, "plain")));
        Assert.Equal(FileKind.SymbolicLink, FileKinds.Of(Path.Combine(dir, "link")));
        Assert.Equal(FileKind.Directory, FileKinds.Of(dir));
        Assert.Equal(FileKind.Missing, FileKinds.Of(Path.Combine(dir, "nothing")));
        Assert.Equal(FileKind.Missing, FileKinds.Of(Path.Combine(dir, "plain", "below-a-file")));
        Assert.Equal(FileKind.Device, FileKinds.Of("/dev/null"));
        Fifo(dir, "pipe");
    }

    [Theory]
    [InlineData("train")]
    [InlineData("atomic")]
    public void A_special_file_is_never_replaced(string how)
    {
        string dir = CliRunner.TempDir();
        string fifo = Fifo(dir, "model.onnx");
        if (how == "train")
        {
            var r = CliRunner.Run("train", "--task", "ring", "--epochs", "1", "--out", fifo);
            Assert.NotEqual(0, r.ExitCode);
            Assert.StartsWith("error: ", r.Err);
            Assert.Contains("is a FIFO (named pipe), not a regular file", r.Err);
            Assert.DoesNotContain("   at ", r.Err);
        }
        else Assert.Throws<Engine.UserInputException>(() => AtomicFile.WriteAllText(fifo, "x"));
        Assert.Equal(FileKind.Fifo, FileKinds.Of(fifo));
        Assert.Single(Directory.EnumerateFileSystemEntries(dir)); // nothing left beside it
    }

    [Fact]
    public void A_special_file_as_the_output_directory_is_refused()
    {
        string dir = CliRunner.TempDir();
        string fifo = Fifo(dir, "out");
        var r = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--samples", "20", "--simulator", "reference", "--out", fifo);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("is a FIFO (named pipe); give a directory", r.Err);
        Assert.Equal(FileKind.Fifo, FileKinds.Of(fifo));
    }

    /// <summary>Three runs given one <c>--out</c> all exited 0 and once left samples of one seed beside the report of another:
    /// the second is refused while the first holds the directory, and runs once it let go.</summary>
    [Fact]
    public void Two_commands_cannot_share_an_output_directory()
    {
        string outDir = Path.Combine(CliRunner.TempDir(), "run");
        string[] run = ["run", "--model", Models.Shipped("ring.onnx"), "--samples", "20", "--simulator", "reference", "--out", outDir];
        using (RunOutputs.ClaimDirectory(outDir))
        {
            var refused = CliRunner.Run(run);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("is being written by another memgrid command", refused.Err);
            Assert.False(File.Exists(Path.Combine(outDir, "samples.csv")), "the refused run wrote into the held directory");
        }
        var after = CliRunner.Run(run);
        Assert.True(after.ExitCode == 0, after.Err);
        Assert.False(File.Exists(Path.Combine(outDir, OutputLock.FileName)), "the lock outlived its command");
    }
    /// <summary>A full disk is the machine's problem, said in one line: CI once filled /tmp and read "internal error:
    /// IOException" from one command and "being written by another memgrid command" from the next. A 64 kB tmpfs (this
    /// suite runs as root, as .ci/run does) holds the lock and little else.</summary>
    [Fact]
    public void A_full_disk_is_named_and_leaves_nothing_half_written()
    {
        string mount = CliRunner.TempDir();
        using (var mounting = System.Diagnostics.Process.Start("mount", $"-t tmpfs -o size=64k tmpfs \"{mount}\"")!)
        {
            mounting.WaitForExit();
            Assert.True(mounting.ExitCode == 0, "mounting a 64 kB tmpfs failed (the suite runs as root)");
        }
        try
        {
            string outDir = Path.Combine(mount, "out");
            var r = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--profile", "ideal", "--samples", "20000", "--simulator", "reference", "--out", outDir);
            Assert.Equal(1, r.ExitCode);
            Assert.StartsWith("error: no space left on the device", r.Err);
            // It names the file the user asked for, not the temporary file it was writing (which is gone).
            Assert.Contains($"cannot write {outDir}/", r.Err);
            Assert.DoesNotContain(".tmp", r.Err);
            Assert.Single(r.Err.Trim().Split('\n'));
            // Nothing half-written: no temporary file, no lock, and no output that a later reader could take for a result.
            var left = Directory.Exists(outDir) ? Directory.EnumerateFileSystemEntries(outDir).Select(Path.GetFileName).ToList() : [];
            Assert.DoesNotContain(left, f => f!.EndsWith(".tmp", StringComparison.Ordinal) || f == OutputLock.FileName);
            Assert.DoesNotContain("report.json", left);
        }
        finally
        {
            using var unmounting = System.Diagnostics.Process.Start("umount", $"\"{mount}\"")!;
            unmounting.WaitForExit();
        }
    }
}
