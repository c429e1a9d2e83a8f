using System.Text;

namespace Douyin.ServiceDefaults.Api;

/// <summary>One set of rules for user-supplied text (names, comments, messages): length in characters, not bytes or UTF-16 units.</summary>
public static class TextRules
{
    /// <summary>
    /// Null when <paramref name="value"/> is acceptable: <paramref name="min"/> to <paramref name="max"/> characters,
    /// valid Unicode (no lone surrogates) and no control characters (line breaks only where <paramref name="allowLineBreaks"/>).
    /// </summary>
    public static ApiError? Check(string? value, string field, int min, int max, bool allowLineBreaks = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return min > 0 ? ApiError.BadRequest($"{field} is required.") : null;
        }

        var length = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return ApiError.BadRequest($"{field} is not valid Unicode text.");
            }
            if (Rune.IsControl(rune) && !(allowLineBreaks && rune.Value is '\n' or '\r' or '\t'))
            {
                return ApiError.BadRequest($"{field} must not contain control characters.");
            }
            i += consumed - 1;
            length++;
        }

        return length < min || length > max
            ? ApiError.BadRequest($"{field} must be {min} to {max} characters long.")
            : null;
    }
}
