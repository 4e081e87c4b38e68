using System.Reflection;

namespace ProviderSpecs.Benchmarking.Load;

/// <summary>
/// .NET's documented switch <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>: socket continuations run on the socket
/// event threads instead of hopping to the thread pool. A measuring client wants it: every streamed chunk otherwise
/// costs a work item and often a thread wake-up before it is timed (figures in the Benchmarking README: at c=64 and 500
/// tokens/s through the provider layer, about a third less client CPU a chunk and a lower TTFT error p50).
/// <para>
/// The runtime reads the variable once, at the process's first asynchronous socket operation: a measuring process gets
/// it in its environment from the start (<see cref="MeasuringRuntime"/>). A value the user set is kept (0 measures with
/// the thread-pool hops).
/// </para>
/// </summary>
public static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Whether this process's sockets complete inline, read from the runtime's own flag (System.Net.Sockets'
    /// <c>SocketAsyncEngine.InlineSocketCompletionsEnabled</c>); null where the runtime has no such flag (not Unix, or a
    /// runtime that renamed it). Reading it fixes the setting for the process, as a first socket operation would.
    /// </summary>
    public static bool? Active =>
        typeof(System.Net.Sockets.Socket).Assembly.GetType("System.Net.Sockets.SocketAsyncEngine")
            ?.GetField("InlineSocketCompletionsEnabled", BindingFlags.Static | BindingFlags.NonPublic)?.GetValue(null) as bool?;

    /// <summary>One line for reports: what this process does with socket completions.</summary>
    public static string Describe(bool? active) => active switch
    {
        true => $"socket completions inline on the event threads ({Variable}=1)",
        false => $"socket completions through the thread pool ({Variable} not 1)",
        null => "socket completions: this runtime does not say whether they run inline",
    };
}
