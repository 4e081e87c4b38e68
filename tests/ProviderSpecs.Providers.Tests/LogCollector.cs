using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ProviderSpecs.Providers.Tests;

/// <summary>One log entry as a sink would store it: the formatted message and every structured value.</summary>
internal sealed record LogEntry(string Category, LogLevel Level, string EventName, string Message, IReadOnlyList<string> Values)
{
    public string Everything => $"{Category} {Level} {EventName} {Message} {string.Join(" ", Values)}";
}

/// <summary>A logger provider that keeps every entry at every level, so a test can read what an application's logs would hold.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public IReadOnlyList<LogEntry> From(string category) => Entries.Where(e => e.Category == category).ToList();

    public void Dispose() { }

    private sealed class Logger(string category, LogCollector sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.Select(p => $"{p.Key}={p.Value}").ToList() : [];
            if (exception is not null) values.Add(exception.ToString());
            sink.Entries.Enqueue(new LogEntry(category, logLevel, eventId.Name ?? eventId.Id.ToString(), formatter(state, exception), values));
        }
    }
}
