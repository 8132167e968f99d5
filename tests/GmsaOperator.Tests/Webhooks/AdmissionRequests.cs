using System.Text;
using Microsoft.AspNetCore.Http;

namespace GmsaOperator.Tests.Webhooks;

/// <summary>An HTTP context as Kestrel hands a webhook request to <c>AdmissionEndpoint</c>, with the response captured.</summary>
internal static class AdmissionRequests
{
    /// <summary>A minimal pod review (uid u1, shop/web, CREATE): enough for the endpoint's own handling and logs.</summary>
    public const string PodReview = """{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"u1","namespace":"shop","name":"web","operation":"CREATE","kind":{"kind":"Pod"}}}""";

    public static DefaultHttpContext Post(string review)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(review));
        context.Response.Body = new MemoryStream();
        return context;
    }
}
