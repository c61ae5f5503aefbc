namespace ReloadHandle.Cli.Commands;

/// <summary>
/// Who publishes, when <c>--publisher</c> does not say: <c>RELOADCTL_PUBLISHER</c>, else the CI job from the variables
/// CI systems set (GitHub Actions, GitLab CI, Azure Pipelines, Jenkins), else <c>user@host</c>. Only names and run ids:
/// never a token.
/// </summary>
internal static class PublisherIdentity
{
    public static string Resolve(string? given) => given?.Trim() is { Length: > 0 } explicitly ? explicitly : Env.Get(Env.Publisher) ?? FromCi() ?? FromUser();

    private static string? FromCi()
    {
        if (Env.Get("GITHUB_ACTIONS") == "true" && Env.Get("GITHUB_REPOSITORY") is { } repository)
        {
            return Join($"github:{repository} run {Env.Get("GITHUB_RUN_ID")}", Env.Get("GITHUB_ACTOR"));
        }

        if (Env.Get("GITLAB_CI") is not null && Env.Get("CI_PROJECT_PATH") is { } project)
        {
            return Join($"gitlab:{project} job {Env.Get("CI_JOB_ID")}", Env.Get("GITLAB_USER_LOGIN"));
        }

        if (Env.Get("TF_BUILD") is not null && Env.Get("BUILD_DEFINITIONNAME") is { } pipeline)
        {
            return Join($"azure:{pipeline} build {Env.Get("BUILD_BUILDNUMBER")}", Env.Get("BUILD_REQUESTEDFOR"));
        }

        return Env.Get("JENKINS_URL") is not null && Env.Get("BUILD_TAG") is { } tag ? $"jenkins:{tag}" : null;
    }

    private static string FromUser() => $"{Env.Get("USER") ?? Env.Get("USERNAME") ?? Environment.UserName}@{Environment.MachineName}";

    private static string Join(string job, string? actor) => actor is null ? job : $"{job} by {actor}";
}
