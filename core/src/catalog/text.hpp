// Small text readers shared by the catalogers: the "Name: value" headers of
// RFC 822 style files (dpkg status, Python METADATA, MANIFEST.MF) and their
// blank-line separated paragraphs. Views into the caller's buffer, no copies.
#pragma once

#include <string_view>

namespace regscan::catalog::text {

std::string_view trim(std::string_view s);

// The next line of `rest` (without its "\n" or "\r\n"); `rest` moves past it.
std::string_view next_line(std::string_view& rest);

// The next paragraph (lines up to a blank line) of `rest`; empty when done.
std::string_view next_paragraph(std::string_view& rest);

// Calls on_field(name, value) for each "Name: value" line of a paragraph, the
// value trimmed. Continuation lines (starting with a space or tab) belong to
// the field above; none of the fields read here need them, so they are skipped.
template <typename OnField>
void for_each_field(std::string_view paragraph, char separator, OnField&& on_field) {
    while (!paragraph.empty()) {
        std::string_view line = next_line(paragraph);
        if (line.empty() || line.front() == ' ' || line.front() == '\t' || line.front() == '#') continue;
        size_t colon = line.find(separator);
        if (colon == std::string_view::npos) continue;
        on_field(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
    }
}

}  // namespace regscan::catalog::text
