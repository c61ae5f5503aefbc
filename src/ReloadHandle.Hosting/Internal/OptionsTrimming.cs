using System.Diagnostics.CodeAnalysis;

namespace ReloadHandle.Hosting.Internal;

/// <summary>What the options interfaces ask the trimmer to keep of their type argument (Options' own <c>DynamicallyAccessedMembers</c>).</summary>
internal static class OptionsTrimming
{
    /// <summary>The members <c>IOptions&lt;T&gt;</c>, <c>IOptionsMonitor&lt;T&gt;</c> and <c>IOptionsSnapshot&lt;T&gt;</c> require of <c>T</c>.</summary>
    public const DynamicallyAccessedMemberTypes Members = DynamicallyAccessedMemberTypes.PublicParameterlessConstructor;
}
