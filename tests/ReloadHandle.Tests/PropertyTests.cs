using CsCheck;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests;

/// <summary>Random valid and invalid candidates: an invalid one never goes live.</summary>
public class PropertyTests
{
    private static readonly Gen<(string[] Items, int Limit)> Candidate =
        Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 0, 4].Array[0, 3], Gen.Int[-2, 5]);

    private static bool IsValid((string[] Items, int Limit) c) => c.Items.Length > 0 && c.Limit > 0;

    [Fact]
    public async Task An_invalid_candidate_never_goes_live_and_versions_count_the_distinct_valid_changes()
    {
        await Candidate.Array[1, 40].SampleAsync(async candidates =>
        {
            var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("prop"))
                .Validate(r => r.Items.Length > 0, "no routes")
                .Validate(r => r.Limit > 0, "bad limit")
                .Build();
            try
            {
                var live = (Routes?)null;
                long expectedVersion = 0;
                foreach (var c in candidates)
                {
                    var json = Routes.Json(c.Limit, c.Items);
                    var result = await handle.ApplyChangeAsync(Changes.Of(json));
                    if (!IsValid(c))
                    {
                        if (result.Outcome != ReloadOutcome.Rejected)
                        {
                            return false;
                        }
                    }
                    else if (live is not null && live.Items.SequenceEqual(c.Items) && live.Limit == c.Limit)
                    {
                        if (result.Outcome != ReloadOutcome.Unchanged)
                        {
                            return false;
                        }
                    }
                    else
                    {
                        expectedVersion++;
                        live = new Routes(c.Items, c.Limit);
                        if (result.Outcome != ReloadOutcome.Applied)
                        {
                            return false;
                        }
                    }

                    if (handle.TryGetCurrent(out var current))
                    {
                        if (!IsValid((current.Value.Items, current.Value.Limit)) || current.Version != expectedVersion)
                        {
                            return false;
                        }
                    }
                    else if (expectedVersion != 0)
                    {
                        return false;
                    }
                }

                return true;
            }
            finally
            {
                await handle.DisposeAsync();
            }
        }, iter: 300);
    }
}
