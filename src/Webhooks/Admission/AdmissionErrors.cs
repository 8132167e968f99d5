using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>
/// Every error the upstream windows-gmsa webhook answers with, texts and HTTP codes exact. <see cref="UnexpectedOperation"/>
/// keeps upstream's typo "unpexpected" on purpose: clients and alerts may match on it.
/// </summary>
public static class AdmissionErrors
{
    public static AdmissionError NotAPod(string? kind) => new(400, $"expected a Pod object, got a {kind}");

    public static AdmissionError PodNotDecodable(string error) => new(400, $"unable to unmarshall pod JSON object: {error}");

    public static AdmissionError UnexpectedOperation(string? operation) => new(400, $"unpexpected operation {operation}");

    public static AdmissionError ReviewNotDecodable(string error) => new(400, $"unable to unmarshall JSON body as an admission review: {error}");

    public static AdmissionError NoRequest() => new(400, "no 'Request' field in JSON body");

    public static AdmissionError BodyUnreadable(string error) => new(400, $"couldn't read request body: {error}");

    public static AdmissionError NotAuthorized(string serviceAccount, string credSpecName, string? reason) =>
        new(403, $"service account {GoQuote.Quote(serviceAccount)} is not authorized to `use` GMSA cred spec {GoQuote.Quote(credSpecName)}"
                 + (string.IsNullOrEmpty(reason) ? "" : $", reason: {GoQuote.Quote(reason)}"));

    public static AdmissionError ContentsMismatch(GmsaBlock block, string credSpecName, string? parseError) =>
        new(422, $"the GMSA cred spec contents for {block.KindText} {GoQuote.Quote(block.ResourceName)} does not match the contents of GMSA resource {GoQuote.Quote(credSpecName)}"
                 + (parseError is null ? "" : $": {parseError}"));

    public static AdmissionError ContentsWithoutName(GmsaBlock block) =>
        new(422, $"{block.KindText} {GoQuote.Quote(block.ResourceName)} has a GMSA cred spec set, but does not define the name of the corresponding resource");

    public static AdmissionError CredSpecNotFound(string name) => new(404, $"cred spec {name} does not exist");

    public static AdmissionError CredSpecUnretrievable(string name, string error) => new(500, $"unable to retrieve the contents of cred spec {name}: {error}");

    /// <summary>Not upstream's (it has no bindings): the namespace's GmsaBindings, which decide the pod's extra patches, could not be read.</summary>
    public static AdmissionError BindingsUnreadable(string @namespace) =>
        new(500, $"unable to read the GmsaBindings of namespace {@namespace}: the operator is still loading its cache and the API server did not answer; retry");

    public static AdmissionError CredSpecWithoutKey(string name) => new(417, $"cred spec {name} does not have a credspec key");

    public static AdmissionError CredSpecNotMarshallable(string name, string error) => new(500, $"unable to marshall cred spec {name} into a JSON: {error}");

    // Not upstream's: names the API server would never let through, so only a forged body gets these (before any lookup).
    public static AdmissionError InvalidNamespace(string problem) => new(400, $"namespace: {problem}");

    public static AdmissionError InvalidServiceAccountName(string podName, string problem) =>
        new(422, $"pod {GoQuote.Quote(podName)} is invalid: spec.serviceAccountName: {problem}");

    public static AdmissionError InvalidCredSpecName(GmsaBlock block, string problem) =>
        new(422, $"{block.KindText} {GoQuote.Quote(block.ResourceName)} has an invalid GMSA cred spec name: {problem}");

    public static AdmissionError InvalidCredSpecName(string problem) => new(422, $"invalid GMSA cred spec name: {problem}");

    public static AdmissionError ContentsTooDeep(GmsaBlock block, int maxDepth) =>
        new(422, $"the GMSA cred spec contents for {block.KindText} {GoQuote.Quote(block.ResourceName)} are nested deeper than the limit of {maxDepth} levels");

    public static AdmissionError GmsaModified(string what, GmsaBlock block) =>
        new(403, $"cannot update an existing pod's GMSA settings (GMSA {what} modified on {block.KindText} {GoQuote.Quote(block.ResourceName)})");
}
