using System.Runtime.InteropServices;

namespace MemristorGrid.Engine.IO;

/// <summary>What a path names, without following a final symbolic link.</summary>
public enum FileKind { Missing, RegularFile, Directory, SymbolicLink, Device, Fifo, Socket, Other }

/// <summary>
/// The kind of a path as the kernel sees it. .NET reports a character device, a FIFO or a socket as an ordinary file
/// (<c>/dev/full</c> has attributes <c>Normal</c>), so writing "a file" there once renamed a regular file over a device
/// node. On Linux this asks <c>statx(2)</c>, whose layout is the same on every architecture; elsewhere it falls back to
/// what .NET knows.
/// </summary>
public static class FileKinds
{
    public static FileKind Of(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            var buffer = new byte[256]; // struct statx is 256 bytes
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
                return Marshal.GetLastPInvokeError() is 2 or 20 ? FileKind.Missing : Fallback(path); // ENOENT, ENOTDIR
            ushort mode = BitConverter.ToUInt16(buffer, 28); // stx_mode
            return (mode & 0xF000) switch
            {
                0x8000 => FileKind.RegularFile,
                0x4000 => FileKind.Directory,
                0xA000 => FileKind.SymbolicLink,
                0x2000 or 0x6000 => FileKind.Device,
                0x1000 => FileKind.Fifo,
                0xC000 => FileKind.Socket,
                _ => FileKind.Other,
            };
        }
        return Fallback(path);
    }

    /// <summary>"a character or block device" etc., for messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.RegularFile => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.Device => "a device",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.Missing => "missing",
        _ => "a special file",
    };

    private static FileKind Fallback(string path) =>
        Directory.Exists(path) ? FileKind.Directory : new FileInfo(path) is { Exists: true } f ? (f.LinkTarget is null ? FileKind.RegularFile : FileKind.SymbolicLink) : FileKind.Missing;

    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;

    // DllImport, not LibraryImport: the engine compiles without unsafe code; a byte[] is pinned and written in place.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
#pragma warning restore SYSLIB1054
}
