using System.Globalization;
using System.Text;

namespace Douyin.Api;

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

    /// <summary>
    /// <see cref="Check"/> for text that names someone (usernames): also refuses whitespace anywhere and characters that
    /// show nothing or reorder what follows (format and bidi controls, private use, unassigned, line and paragraph
    /// separators, fillers and variation selectors), so <c>alice</c> with a zero-width space cannot pose as <c>alice</c>.
    /// </summary>
    public static ApiError? CheckName(string? value, string field, int min, int max)
    {
        if (Check(value, field, min, max) is { } error)
        {
            return error;
        }
        foreach (var rune in (value ?? "").EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune) || IsInvisible(rune))
            {
                return ApiError.BadRequest($"{field} must not contain spaces or invisible characters (found U+{rune.Value:X4}).");
            }
        }
        return null;
    }

    static bool IsInvisible(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        // Default-ignorable code points outside those categories: they render as nothing.
        || rune.Value is 0x034F or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or (>= 0x180B and <= 0x180F) or 0x3164 or 0xFFA0
            or (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0100 and <= 0xE01EF);
}
