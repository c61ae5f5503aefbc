using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

/// <summary>
/// The allocation probe, loaded into every measured app through <c>DOTNET_STARTUP_HOOKS</c> so the apps are measured
/// unmodified and alike: it listens on 127.0.0.1 at the port in <see cref="PortVariable"/> and answers each connection
/// with <see cref="GC.GetTotalAllocatedBytes(bool)"/> (precise) as one decimal line. The driver reads it before and
/// after each round; the probe's own allocations (a few hundred bytes a read) are noise against millions.
/// </summary>
#pragma warning disable CA1050 // the runtime looks for a type named StartupHook outside any namespace
internal static class StartupHook
#pragma warning restore CA1050
{
    public const string PortVariable = "GATEWAY_OVERHEAD_PROBE_PORT";

    /// <summary>Called by the runtime before the app's Main.</summary>
    public static void Initialize()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(PortVariable), CultureInfo.InvariantCulture, out var port))
        {
            return;
        }

        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        new Thread(() => Serve(listener)) { IsBackground = true, Name = "allocation probe" }.Start();
    }

    private static void Serve(TcpListener listener)
    {
        while (true)
        {
            using var client = listener.AcceptTcpClient();
            var bytes = GC.GetTotalAllocatedBytes(precise: true);
            client.GetStream().Write(Encoding.ASCII.GetBytes(bytes.ToString(CultureInfo.InvariantCulture) + "\n"));
        }
    }
}
