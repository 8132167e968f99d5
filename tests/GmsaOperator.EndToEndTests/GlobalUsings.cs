global using NUnit.Framework;

// A node is Linux: network namespaces, cgroups, mounts.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
