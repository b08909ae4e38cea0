namespace Tests.Common;

/// <summary>Files of the repository (docs/...) found from the test's output directory.</summary>
public static class RepositoryFiles
{
    /// <summary>The full path of <paramref name="relativePath"/> in the repository that holds the running tests.</summary>
    /// <exception cref="FileNotFoundException">No directory above the tests holds it.</exception>
    public static string Find(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, relativePath);
            if (File.Exists(path) || Directory.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"{relativePath} not found above {AppContext.BaseDirectory}");
    }
}
