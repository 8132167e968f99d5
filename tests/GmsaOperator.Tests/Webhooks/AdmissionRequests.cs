using System.Text;
using Microsoft.AspNetCore.Http;

namespace GmsaOperator.Tests.Webhooks;

/// <summary>An HTTP context as Kestrel hands a webhook request to <c>AdmissionEndpoint</c>, with the response captured.</summary>
internal static class AdmissionRequests
{
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
