namespace Douyin.ServiceDefaults.Redis;

public class RedisException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>The connection is down, was lost while the command was in flight, or could not be established.</summary>
public sealed class RedisConnectionException(string message, Exception? innerException = null) : RedisException(message, innerException);

/// <summary>The server answered with an error reply (<c>-ERR ...</c>, <c>-WRONGTYPE ...</c>).</summary>
public sealed class RedisServerException(string message) : RedisException(message);

/// <summary>No reply arrived within the configured timeout (<c>syncTimeout</c>).</summary>
public sealed class RedisTimeoutException(string message) : RedisException(message);
