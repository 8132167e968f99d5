using System.Text;
using GmsaOperator.Bench;

namespace GmsaOperator.Tests.Bench;

/// <summary>The load generators read answers themselves: status, body bounds and keep-alive from the head.</summary>
public sealed class HttpResponseHeadTests
{
    private static bool Parse(string text, out HttpResponseHead head) => HttpResponseHead.TryParse(Encoding.ASCII.GetBytes(text), out head);

    [Test]
    public void KestrelAnswer_GivesStatusBodyStartAndLength()
    {
        const string answer = "HTTP/1.1 200 OK\r\nContent-Length: 17\r\nContent-Type: application/json\r\nDate: x\r\nServer: Kestrel\r\n\r\n{\"allowed\":true}\n";
        Assert.That(Parse(answer, out var head), Is.True);
        Assert.That(head, Is.EqualTo(new HttpResponseHead(200, answer.IndexOf('{'), 17, Close: false)));
    }

    [TestCase("")]
    [TestCase("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n")]
    [TestCase("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r")]
    public void IncompleteHead_AsksForMore(string received) => Assert.That(Parse(received, out _), Is.False);

    [Test]
    public void HeaderNamesAndConnectionClose_AreCaseInsensitive()
    {
        Assert.That(Parse("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nCONNECTION: Close\r\n\r\n", out var head), Is.True);
        Assert.That((head.Status, head.ContentLength, head.Close), Is.EqualTo((400, 0, true)));
    }

    [TestCase("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "without Content-Length")]
    [TestCase("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "bad Content-Length")]
    [TestCase("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n", "bad Content-Length")]
    [TestCase("HTTP/2 200\r\n\r\n", "not an HTTP/1.x status line")]
    [TestCase("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", "not an HTTP/1.x status line")]
    public void MalformedHead_IsAnError(string received, string message) =>
        Assert.That(() => Parse(received, out _), Throws.TypeOf<FormatException>().With.Message.Contains(message));
}
