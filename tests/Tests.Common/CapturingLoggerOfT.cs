using Microsoft.Extensions.Logging;

namespace Tests.Common;

/// <summary>A <see cref="CapturingLogger"/> for code that takes an <see cref="ILogger{TCategoryName}"/>.</summary>
/// <typeparam name="T">The category.</typeparam>
public sealed class CapturingLogger<T> : CapturingLogger, ILogger<T>;
