using System.Globalization;
using System.Net;

namespace GmsaOperator.Operator.Hosting.Shutdown;

/// <summary>Kernel TCP states as numbered in <c>/proc/net/tcp</c> (include/net/tcp_states.h).</summary>
public enum TcpSocketState
{
    Established = 1,
    SynSent = 2,
    SynReceived = 3,
    FinWait1 = 4,
    FinWait2 = 5,
    TimeWait = 6,
    Close = 7,
    CloseWait = 8,
    LastAck = 9,
    Listen = 10,
    Closing = 11,
}

public sealed record TcpSocket(IPEndPoint Local, IPEndPoint Remote, TcpSocketState State)
{
    /// <summary>
    /// Whether the peer still holds its end: everything but a listener, TIME_WAIT (the peer closed too) and CLOSE.
    /// FIN_WAIT_2 is the telling one — this side closed, the peer has acknowledged but not closed its own end, so it may
    /// still write a request into a connection nobody will answer once this network namespace is gone.
    /// </summary>
    public bool PeerHoldsIt => State is not (TcpSocketState.Listen or TcpSocketState.TimeWait or TcpSocketState.Close);
}

/// <summary>The TCP sockets of this process's network namespace (in a pod: the pod's), read from procfs.</summary>
public interface ITcpSocketTable
{
    IReadOnlyList<TcpSocket> Read();
}

public sealed class ProcNetTcpSocketTable : ITcpSocketTable
{
    /// <exception cref="IOException">procfs is not readable (IPv6's file may be absent; IPv4's must be there).</exception>
    public IReadOnlyList<TcpSocket> Read()
    {
        var sockets = ProcNetTcp.Parse(File.ReadAllText("/proc/net/tcp")).ToList();
        if (File.Exists("/proc/net/tcp6")) sockets.AddRange(ProcNetTcp.Parse(File.ReadAllText("/proc/net/tcp6")));
        return sockets;
    }
}

/// <summary>Parser of the <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c> text format.</summary>
public static class ProcNetTcp
{
    /// <summary>
    /// Lines are <c>sl local_address rem_address st …</c>, addresses as hex <c>ADDR:PORT</c> with the address in host
    /// (little-endian) 32-bit words. Malformed lines are skipped: this feeds diagnostics, not decisions.
    /// </summary>
    public static IEnumerable<TcpSocket> Parse(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || !fields[0].EndsWith(':')) continue;
            if (!TryEndpoint(fields[1], out var local) || !TryEndpoint(fields[2], out var remote)) continue;
            if (!int.TryParse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var state)
                || !Enum.IsDefined((TcpSocketState)state)) continue;
            yield return new TcpSocket(local, remote, (TcpSocketState)state);
        }
    }

    private static bool TryEndpoint(string field, out IPEndPoint endpoint)
    {
        endpoint = null!;
        var colon = field.IndexOf(':');
        if (colon < 0 || !int.TryParse(field.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port)) return false;
        var hex = field.AsSpan(0, colon);
        if (hex.Length is not (8 or 32)) return false;
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            if (!uint.TryParse(hex.Slice(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value)) return false;
            // Each 32-bit word is printed as the host-order value of network-order bytes, so writing it back in host
            // order restores the network-order bytes on either endianness.
            BitConverter.TryWriteBytes(bytes.AsSpan(word * 4, 4), value);
        }
        var address = new IPAddress(bytes);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
