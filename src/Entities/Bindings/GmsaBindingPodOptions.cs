namespace GmsaOperator.Entities.Bindings;

/// <summary>What a binding asks for about the pods using it.</summary>
public static class GmsaBindingPodOptions
{
    /// <summary>Pods of this binding are labelled at admission and watched: <c>trackPods</c>, implied by <c>rolloutOnChange</c>.</summary>
    public static bool TracksPods(this GmsaBindingSpec spec) => spec.TrackPods == true || spec.RolloutOnChange == true;

    public static bool RollsOutOnChange(this GmsaBindingSpec spec) => spec.RolloutOnChange == true;
}
