global using NUnit.Framework;

// The tests drive Linux processes and file modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
