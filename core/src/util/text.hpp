// Text from a registry made safe to show: control characters escaped for a
// terminal or a log line, invalid UTF-8 replaced for JSON. Linear time, no
// regular expressions: these run on attacker-controlled bytes.
#pragma once

#include <string>
#include <string_view>

namespace regscan::util {

// Every C0 control character, DEL and every C1 control (U+0080..U+009F)
// written as \xNN (\n, \r, \t, \e as such), the bidirectional and line
// format characters (U+061C, U+200E/F, U+2028/9, U+202A..E, U+2066..9) and
// the invisible ones (zero-width U+200B..D and U+2060, the byte order mark
// U+FEFF, tag characters U+E0000..E007F) as \u{NNNN} (\u{e0041}), and a
// backslash as "\\", so one value is one line, cannot move the cursor, set
// a title or forge a log line, reads in the order its bytes are
// ("evil\u{202e}fdp.exe" is not shown as "evilexe.pdf") and hides nothing
// ("admin\u{200b}" is not shown as "admin"). Other printable UTF-8 is kept
// as is.
std::string escape_control(std::string_view text);

// True when `text` holds something escape_control escapes other than a
// backslash: a value without any can be shown with its backslashes as is.
bool has_control(std::string_view text);

// `text` when it holds at most `most` bytes, else its first bytes (never
// cut inside a UTF-8 character) and " ... (N bytes left out)", at most
// `most` bytes in all when that leaves room for the marker (42 bytes do for
// any size): capping a capped text again then changes nothing.
// `left_out_before`: bytes the caller dropped from the end of `text` already
// (counted in the marker, which is then always written).
std::string capped(std::string_view text, size_t most, size_t left_out_before = 0);

// `at` (at most `text.size()`), moved back to the start of the UTF-8
// character it falls inside (three continuation bytes at most): where
// `text` may be cut to its first bytes without splitting a character.
size_t utf8_boundary(std::string_view text, size_t at);

// `text` with each invalid UTF-8 sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

// `text` with A-Z lowercased and every other byte kept: for names, schemes
// and keywords compared case-insensitively, whatever the C locale says.
std::string ascii_lower(std::string_view text);

// `text` with a-z uppercased and every other byte kept.
std::string ascii_upper(std::string_view text);

// True when `a` and `b` differ at most in the case of A-Z: for header names.
bool ascii_iequals(std::string_view a, std::string_view b);

}  // namespace regscan::util
