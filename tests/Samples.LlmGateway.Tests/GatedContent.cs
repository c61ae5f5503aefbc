using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Samples.LlmGateway.Tests;

/// <summary>A request body sent in two halves: the first at once, the second when the test says (a slow upload).</summary>
internal sealed class GatedContent : HttpContent
{
    private readonly byte[] _first;
    private readonly byte[] _rest;
    private readonly TaskCompletionSource _firstSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _sendRest = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GatedContent(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        (_first, _rest) = (bytes[..(bytes.Length / 2)], bytes[(bytes.Length / 2)..]);
        Headers.ContentType = new MediaTypeHeaderValue("application/json");
    }

    /// <summary>Completes once the first half is on the wire.</summary>
    public Task FirstHalfSent => _firstSent.Task;

    public void SendRest() => _sendRest.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(_first);
        await stream.FlushAsync();
        _firstSent.TrySetResult();
        await _sendRest.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stream.WriteAsync(_rest);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _first.Length + _rest.Length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        _sendRest.TrySetResult();
        base.Dispose(disposing);
    }
}
