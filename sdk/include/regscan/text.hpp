// (SDK 1.4) Text a plugin makes from what a vendor API listed, for log lines,
// notes and errors: cut without splitting a UTF-8 character (the core shows
// text as JSON, where a split character is an invalid one), and a listing of
// many names said as its first few and a count, so a hostile listing of
// 240,000 names makes one short line, not 240,000 or one of megabytes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace regscan::sdk {

// `max` (at most `text.size()`), moved back to the start of the UTF-8
// character it falls inside: where `text` may be cut to its first bytes.
// At most three bytes back (the core's rule), so invalid text made of
// continuation bytes costs no scan of its own.
inline size_t utf8_boundary(std::string_view text, size_t max) {
    size_t at = std::min(max, text.size());
    for (int k = 0; k < 3 && at > 0 && at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80; ++k)
        --at;
    return at;
}

// `text` when it holds at most `max` bytes, else its first bytes up to
// utf8_boundary(text, max) and "..." (so at most max + 3 bytes).
inline std::string capped(std::string_view text, size_t max) {
    if (text.size() <= max) return std::string(text);
    return std::string(text.substr(0, utf8_boundary(text, max))) + "...";
}

// The first `max_named` of many names (or log lines) added, each capped to
// `max_bytes`, and the count of all of them:
//     NameSample refused(5);
//     for (...) refused.add(name);
//     if (refused.count()) host.warn("refused: " + refused.str());  // "a, b, c, d, e and 12 more"
// Not thread-safe: one listing fills one sample.
class NameSample {
public:
    static constexpr size_t default_named = 10;
    static constexpr size_t default_bytes = 128;

    explicit NameSample(size_t max_named = default_named, size_t max_bytes = default_bytes)
        : max_named_(max_named), max_bytes_(max_bytes) {}

    void add(std::string_view name) {
        ++count_;
        if (named_.size() < max_named_) named_.push_back(capped(name, max_bytes_));
    }

    [[nodiscard]] size_t count() const { return count_; }
    [[nodiscard]] const std::vector<std::string>& named() const { return named_; }
    [[nodiscard]] size_t unnamed() const { return count_ - named_.size(); }

    // "a, b, c and 12 more"; "" when nothing was added.
    [[nodiscard]] std::string str() const {
        std::string out;
        for (size_t i = 0; i < named_.size(); ++i) out += (i ? ", " : "") + named_[i];
        if (unnamed() == 0) return out;
        return out + (named_.empty() ? "" : " and ") + std::to_string(unnamed()) + " more";
    }

private:
    size_t max_named_;
    size_t max_bytes_;
    size_t count_ = 0;
    std::vector<std::string> named_;
};

}  // namespace regscan::sdk
