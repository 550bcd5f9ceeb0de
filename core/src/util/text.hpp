// Text from a registry made safe to show: control characters escaped for a
// terminal or a log line, invalid UTF-8 replaced for JSON. Linear time, no
// regular expressions: these run on attacker-controlled bytes.
#pragma once

#include <string>
#include <string_view>

namespace regscan::util {

// Every C0 control character, DEL and every C1 control (U+0080..U+009F)
// written as \xNN (\n, \r, \t, \e as such), and a backslash as "\\", so one
// value is one line and cannot move the cursor, set a title or forge a log
// line. Printable UTF-8 is kept as is.
std::string escape_control(std::string_view text);

// True when `text` holds no byte escape_control would change.
bool is_printable(std::string_view text);

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
