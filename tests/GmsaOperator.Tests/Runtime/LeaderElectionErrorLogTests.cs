using System.Net;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.LeaderElection;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Runtime;

/// <summary>Leader-election failures are logged with the API server's words, once per reason per 30 s, with a count of the rest.</summary>
public sealed class LeaderElectionErrorLogTests
{
    private const string NamespaceNotFound =
        """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"namespaces \"gmsa-system\" not found","reason":"NotFound","details":{"name":"gmsa-system","kind":"namespaces"},"code":404}""";

    private const string LeaseForbidden =
        """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"leases.coordination.k8s.io \"gmsa-operator-leader\" is forbidden: User \"bob\" cannot get resource \"leases\"","reason":"Forbidden","details":{"name":"gmsa-operator-leader","group":"coordination.k8s.io","kind":"leases"},"code":403}""";

    private FakeTimeProvider _time = null!;
    private ListLogger<LeaderElectionErrorLog> _logger = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _logger = new ListLogger<LeaderElectionErrorLog>();
    }

    private LeaderElectionErrorLog Create() =>
        new(new LeaderElectionOptions { Namespace = "gmsa-system", LeaseName = "gmsa-operator-leader" }, _time, _logger);

    [Test]
    public void FirstFailure_IsLoggedWithTheApiServersReasonAndMessage()
    {
        Create().Report("create", Http(HttpStatusCode.NotFound, NamespaceNotFound));

        Assert.That(_logger.Lines, Has.Count.EqualTo(1));
        Assert.That(_logger.Lines[0], Is.EqualTo(
            "Warning: Leader election: create of Lease gmsa-system/gmsa-operator-leader failed: NotFound: namespaces \"gmsa-system\" not found"));
    }

    [Test]
    public void Repeats_AreHeldBackFor30Seconds_ThenLoggedOnceWithTheirCount()
    {
        var log = Create();
        for (var i = 0; i < 15; i++)
        {
            log.Report("create", Http(HttpStatusCode.NotFound, NamespaceNotFound));
            _time.Advance(TimeSpan.FromSeconds(2));
        }
        Assert.That(_logger.Lines, Has.Count.EqualTo(1), "14 repeats within 30 s");

        log.Report("create", Http(HttpStatusCode.NotFound, NamespaceNotFound));
        Assert.That(_logger.Lines, Has.Count.EqualTo(2));
        Assert.That(_logger.Lines[1], Does.EndWith("(14 repeats in the last 30 s not logged)"));
    }

    [Test]
    public void ADifferentReason_IsLoggedAtOnce()
    {
        var log = Create();
        log.Report("create", Http(HttpStatusCode.NotFound, NamespaceNotFound));
        log.Report("get", Http(HttpStatusCode.Forbidden, LeaseForbidden));
        log.Report("get", Http(HttpStatusCode.Forbidden, LeaseForbidden));

        Assert.That(_logger.Lines, Has.Count.EqualTo(2));
        Assert.That(_logger.Lines[1], Does.Contain("get of Lease gmsa-system/gmsa-operator-leader failed: Forbidden: leases.coordination.k8s.io \"gmsa-operator-leader\" is forbidden"));
    }

    [Test]
    public void Unreachable_IsOneLineWithTheTransportError()
    {
        Create().Report("get", new HttpRequestException("Connection refused (127.0.0.1:6443)"));

        Assert.That(_logger.Lines.Single(), Does.Contain("failed: Unreachable: Connection refused (127.0.0.1:6443)"));
    }

    [Test]
    public void ApiError_NamesWhatA404IsMissing()
    {
        Assert.That(ApiError.From(Http(HttpStatusCode.NotFound, NamespaceNotFound)).DetailsKind, Is.EqualTo("namespaces"));
        Assert.That(ApiError.From(Http(HttpStatusCode.BadGateway, "<html>bad gateway</html>")).ToString(), Is.EqualTo("BadGateway: HTTP 502 BadGateway"));
    }

    [TestCase(HttpStatusCode.Forbidden, "[{\"reason\":\"NamespaceTerminating\",\"message\":\"namespace t is being terminated\"}]", true)]
    [TestCase(HttpStatusCode.Forbidden, "[{\"reason\":\"FieldValueInvalid\"},\"NamespaceTerminating\"]", false)]
    [TestCase(HttpStatusCode.Forbidden, "\"NamespaceTerminating\"", false)]
    [TestCase(HttpStatusCode.Conflict, "[{\"reason\":\"NamespaceTerminating\"}]", false)]
    public void ApiError_NamespaceTerminatingOnlyFromThatCauseOfA403(HttpStatusCode code, string causes, bool terminating)
    {
        var body = $$$"""{"kind":"Status","status":"Failure","reason":"Forbidden","details":{"kind":"rolebindings","causes":{{{causes}}}}}""";

        Assert.That(ApiError.From(Http(code, body)).NamespaceTerminating, Is.EqualTo(terminating));
    }

    internal static HttpOperationException Http(HttpStatusCode code, string body) => new($"Operation returned an invalid status code '{code}'")
    {
        Response = new HttpResponseMessageWrapper(new HttpResponseMessage(code), body),
    };
}
