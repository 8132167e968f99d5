using GmsaOperator.Entities.Serialization;
using GmsaOperator.TestSupport;

/// <summary>
/// Every unit test serialises as the operator does: with the product's source-generated contexts only (plus the tests'
/// own models). Outside any namespace, so NUnit runs it once before every test of the assembly.
/// </summary>
[SetUpFixture]
public sealed class SerializationSetup
{
    [OneTimeSetUp]
    public void Register() => EntityJson.Register(TestModelJsonContext.Default);
}
