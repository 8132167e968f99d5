namespace GmsaOperator.TestSupport;

/// <summary>A kubeconfig file with one cluster and a bearer token, deleted on dispose.</summary>
public sealed class TempKubeconfig : IDisposable
{
    private TempKubeconfig(string path) => Path = path;

    public string Path { get; }

    public static TempKubeconfig WithToken(string server, string token, bool insecureSkipTlsVerify = false)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: {server}{(insecureSkipTlsVerify ? "\n    insecure-skip-tls-verify: true" : "")}
            users:
            - name: u
              user:
                token: {token}
            contexts:
            - name: c
              context:
                cluster: c
                user: u
            current-context: c
            """);
        return new TempKubeconfig(path);
    }

    public void Dispose() => File.Delete(Path);
}
