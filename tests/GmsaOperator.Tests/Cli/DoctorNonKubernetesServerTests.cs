using System.Net;
using System.Net.Sockets;

namespace GmsaOperator.Tests.Cli;

/// <summary>A kubeconfig pointing at a web server that is not an API server gives one clear line, not a crash.</summary>
public sealed class DoctorNonKubernetesServerTests
{
    [Test]
    public async Task HtmlAnswer_IsOneLineError_ExitCode1()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        using var stop = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync().WaitAsync(stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                var page = "<html><body>Welcome to nginx!</body></html>"u8.ToArray();
                context.Response.ContentType = "text/html";
                await context.Response.OutputStream.WriteAsync(page);
                context.Response.Close();
            }
        });

        using var kubeconfig = TempKubeconfig.WithToken($"http://127.0.0.1:{port}", "t");
        try
        {
            var (exit, _, stderr) = await CliRunner.RunAsync("doctor", "--kubeconfig", kubeconfig.Path);
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(stderr.Trim(), Does.StartWith("error: ").And.Contain("did not answer like a Kubernetes API server"));
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            await server;
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
