using System.Security.Cryptography;
using System.Text;

namespace ProviderSpecs.Simulators;

/// <summary>
/// Seeds <see cref="Random"/> from text parts with a hash that is the same in every process
/// (string.GetHashCode is randomised per process, which would make runs irreproducible).
/// </summary>
internal static class StableRandom
{
    public static Random From(params object?[] parts)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts)));
        return new Random(BitConverter.ToInt32(bytes, 0));
    }

    public static string Hex(Random rng, int length)
    {
        const string digits = "0123456789abcdef";
        return string.Create(length, rng, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = digits[r.Next(16)];
        });
    }

    /// <summary>Standard normal sample (Box–Muller).</summary>
    public static double NextGaussian(this Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
