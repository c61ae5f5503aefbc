namespace ReloadHandle.AspNetCore.Events;

/// <summary>One Server-Sent Event: its type (<c>handles</c>, <c>attempt</c>, <c>status</c>, <c>ping</c>) and its JSON data, on one line.</summary>
internal readonly record struct ServerEvent(string Type, string Data);
