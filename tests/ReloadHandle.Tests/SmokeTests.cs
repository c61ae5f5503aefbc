using ReloadHandle.Testing;

namespace ReloadHandle.Tests;

public sealed record Routes(string[] Items);

public class SmokeTests
{
    [Fact]
    public async Task Source_value_goes_live_and_invalid_one_is_rejected()
    {
        var source = new ManualSource("""{"items":["a"]}""");
        await using var handle = new ReloadHandleBuilder<Routes>("routes")
            .FromSource(source)
            .Validate(r => r.Items.Length > 0, "at least one route")
            .Build();
        await handle.StartAsync();
        handle.Current.Value.Items.Should().Equal("a");
        handle.Current.Version.Should().Be(1);
        handle.Current.Trigger.Should().Be(ReloadTrigger.Initial);

        var rejected = await handle.ApplyChangeAsync(Sources.SourceChange.FromText("""{"items":[]}"""));
        rejected.Outcome.Should().Be(ReloadOutcome.Rejected);
        rejected.Errors.Should().Equal("at least one route");
        handle.Current.Version.Should().Be(1);

        source.Set("""{"items":["b"]}""", "2");
        await handle.Changes.FirstAsyncWhere(s => s.Version == 2);
        handle.Current.Value.Items.Should().Equal("b");
        handle.Status.State.Should().Be(HandleState.Healthy);
    }
}

internal static class ObservableTestExtensions
{
    public static Task<T> FirstAsyncWhere<T>(this IObservable<T> source, Func<T, bool> predicate, int seconds = 10)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = source.Subscribe(new Observer<T>(v => { if (predicate(v)) done.TrySetResult(v); }));
        return done.Task.WaitAsync(TimeSpan.FromSeconds(seconds)).ContinueWith(t => { subscription.Dispose(); return t; }, TaskScheduler.Default).Unwrap();
    }

    private sealed class Observer<T>(Action<T> next) : IObserver<T>
    {
        public void OnCompleted() { }
        public void OnError(Exception error) { }
        public void OnNext(T value) => next(value);
    }
}
