using System;
using System.IO;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace SchemaClients.Emulator;

/// <summary>Real PNG bytes whose pixels depend on the prompt and the seed, so tests can tell images apart.</summary>
internal static class Png
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>
    /// A <paramref name="width"/> x <paramref name="height"/> truecolour PNG: an 8 x 8 grid of cells whose colours come
    /// from SHA-256 of prompt and seed, over a gradient, so two prompts or two seeds give visibly different images.
    /// A <paramref name="tint"/> (an edit's input images) is mixed half and half into every pixel, so the output shows
    /// which inputs reached the model.
    /// </summary>
    public static byte[] Render(string prompt, long seed, int width = 64, int height = 64, (byte R, byte G, byte B)? tint = null)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(prompt + "\n" + seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        // 64 cells x 3 channels: the hash, hashed again until there are enough bytes.
        var palette = new byte[8 * 8 * 3];
        byte[] block = hash;
        for (int filled = 0; filled < palette.Length; filled += block.Length)
        {
            Array.Copy(block, 0, palette, filled, Math.Min(block.Length, palette.Length - filled));
            block = SHA256.HashData(block);
        }

        var raw = new byte[height * ((width * 3) + 1)];
        int i = 0;
        for (int y = 0; y < height; y++)
        {
            raw[i++] = 0; // filter: none
            int row = y * 8 / height;
            for (int x = 0; x < width; x++)
            {
                int cell = ((row * 8) + (x * 8 / width)) * 3;
                byte r = (byte)((palette[cell] + (x * 64 / width)) & 0xFF);
                byte g = (byte)((palette[cell + 1] + (y * 64 / height)) & 0xFF);
                byte b = palette[cell + 2];
                if (tint is { } t)
                {
                    r = (byte)((r + t.R) / 2);
                    g = (byte)((g + t.G) / 2);
                    b = (byte)((b + t.B) / 2);
                }

                raw[i++] = r;
                raw[i++] = g;
                raw[i++] = b;
            }
        }

        using var png = new MemoryStream();
        png.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        var header = new byte[13];
        WriteInt(header, 0, width);
        WriteInt(header, 4, height);
        header[8] = 8; // bit depth
        header[9] = 2; // truecolour
        Chunk(png, "IHDR", header);
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                zlib.Write(raw);
            }

            Chunk(png, "IDAT", compressed.ToArray());
        }

        Chunk(png, "IEND", Array.Empty<byte>());
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        WriteInt(length, 0, data.Length);
        png.Write(length);
        byte[] typeAndData = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type, 0, 4, typeAndData, 0);
        data.CopyTo(typeAndData, 4);
        png.Write(typeAndData);
        var crc = new byte[4];
        WriteInt(crc, 0, (int)Crc(typeAndData));
        png.Write(crc);
    }

    private static void WriteInt(byte[] buffer, int offset, int value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }

    private static uint Crc(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFF;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
