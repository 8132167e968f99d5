using System.Net;
using GmsaOperator.Operator.Hosting.Shutdown;

namespace GmsaOperator.Tests.Hosting;

public sealed class ProcNetTcpTests
{
    [Test]
    public void Parse_ReadsAddressesPortsAndStates_OfBothFamilies()
    {
        const string v4 = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:24E3 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1654        0 1 1 0 100 0 0 10 0
               1: 0200C80A:24E3 0100C80A:A2A0 05 00000000:00000000 00:00000000 00000000     0        0 0 1 0 20 4 30 10 -1
               2: 0200C80A:24E3 0100C80A:A2A4 06 00000000:00000000 03:00000F9E 00000000     0        0 0 3 0
            """;
        const string v6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0000000000000000FFFF00000100007F:1F91 0000000000000000FFFF00000100007F:D431 01 00000000:00000000 00:00000000 00000000  1654        0 7 1 0 20 4 30 10 -1
               1: 00000000000000000000000001000000:1F91 00000000000000000000000001000000:D432 08 00000000:00000000 00:00000000 00000000  1654        0 8 1 0 20 4 30 10 -1
            """;

        var sockets = ProcNetTcp.Parse(v4).Concat(ProcNetTcp.Parse(v6)).ToList();

        Assert.That(sockets.Select(s => $"{s.Local} {s.Remote} {s.State} {s.PeerHoldsIt}"), Is.EqualTo(new[]
        {
            "0.0.0.0:9443 0.0.0.0:0 Listen False",
            "10.200.0.2:9443 10.200.0.1:41632 FinWait2 True",
            "10.200.0.2:9443 10.200.0.1:41636 TimeWait False",
            "127.0.0.1:8081 127.0.0.1:54321 Established True",
            "[::1]:8081 [::1]:54322 CloseWait True",
        }));
    }

    [Test]
    public void Parse_SkipsMalformedLines()
    {
        const string text = "  sl local\n   0: zz:24E3 00000000:0000 0A\n   1: 0100007F 0100007F:0050 01\n   2: 0100007F:0050 0100007F:0051 FF\n junk\n";

        Assert.That(ProcNetTcp.Parse(text), Is.Empty);
    }

    [Test]
    public void ProcNetTcpSocketTable_SeesThisProcessesListener()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var sockets = new ProcNetTcpSocketTable().Read();

        Assert.That(sockets.Any(s => s.Local.Port == port && s.State == TcpSocketState.Listen && s.Local.Address.Equals(IPAddress.Loopback)), Is.True);
    }
}
