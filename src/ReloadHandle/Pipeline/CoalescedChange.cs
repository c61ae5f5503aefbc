using System.Diagnostics;
using ReloadHandle.Sources;

namespace ReloadHandle.Pipeline;

/// <summary>The latest state of a source plus the writers of every change merged into it.</summary>
/// <param name="Latest">The newest change; the only one applied.</param>
/// <param name="Writers">Valid writer trace contexts of all merged changes, oldest first.</param>
/// <param name="Count">How many changes were merged.</param>
/// <param name="Generation">Which enumeration of the source read <paramref name="Latest"/> (1 for the first, +1 per restart).</param>
internal sealed record CoalescedChange(SourceChange Latest, IReadOnlyList<ActivityContext> Writers, int Count, int Generation);
