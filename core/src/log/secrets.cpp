#include "log/secrets.hpp"

#include <algorithm>
#include <deque>
#include <cctype>
#include <mutex>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "limits/limits.hpp"
#include "util/text.hpp"

namespace regscan::log {
namespace {

std::shared_mutex& mutex() {
    static std::shared_mutex m;
    return m;
}

std::vector<std::string>& secrets() {
    static std::vector<std::string> values;
    return values;
}

// The token secrets in the order they came, oldest first.
std::deque<std::string>& tokens() {
    static std::deque<std::string> values;
    return values;
}

// Called with the lock held: false when `value` is registered already.
bool insert_new(std::string_view value) {
    auto& values = secrets();
    if (std::find(values.begin(), values.end(), value) != values.end()) return false;
    // Longest first, so a secret that contains another is replaced whole.
    auto at = std::upper_bound(values.begin(), values.end(), value.size(),
                               [](size_t size, const std::string& other) { return size > other.size(); });
    values.emplace(at, value);
    return true;
}

// sdk::HttpResponse::describe() quotes at most this many bytes of a body
// ("HTTP 401: <first bytes>"), fewer by up to three when the cut would fall
// inside a UTF-8 character.
constexpr size_t described_body_bytes = 200;

// Where `text` may have been cut inside a secret: its end (a quoted answer
// cut by whoever wrote the text) and the end of each quote describe() cut,
// wherever the text puts it ("... (GET url: HTTP 401: <200 bytes>), ...").
// A failure quotes one answer or two: the first 16 quotes are looked at, so a
// text of many "HTTP 1: " costs no more than a few. Each cut comes with where
// a piece ending there may start (a quote's own bytes).
struct Cut {
    size_t at;
    size_t from;
};
std::vector<Cut> cut_points(std::string_view text) {
    std::vector<Cut> cuts{{text.size(), 0}};
    size_t quotes = 0;
    for (auto at = text.find("HTTP "); at != std::string_view::npos && quotes < 16; at = text.find("HTTP ", at + 1)) {
        size_t digits = at + 5;
        while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
        if (digits == at + 5 || text.substr(digits, 2) != ": ") continue;
        ++quotes;
        for (size_t k = described_body_bytes - 3; k <= described_body_bytes; ++k)
            if (digits + 2 + k < text.size()) cuts.push_back({digits + 2 + k, digits + 2});
    }
    return cuts;
}

// The length of the longest proper prefix of `secret` that `text` ends with
// at `cut.at`, starting at `cut.from` or later, or 0. The prefix must hold
// half the secret, at least 4 bytes (the shortest secret) and at most 8
// needed: what stays visible is under half of a short secret and at most 7
// bytes of a long one, and a text that merely ends in a shorter piece (a
// secret "docker-pw1", a line ending "... docker") is left alone.
size_t cut_prefix(std::string_view text, Cut where, std::string_view secret) {
    const size_t cut = where.at;
    const size_t shortest = std::clamp<size_t>(secret.size() / 2, 4, 8);
    if (secret.size() <= shortest || cut < shortest) return 0;
    // The first start of its first bytes within reach of the cut is the longest piece.
    const auto before = text.substr(0, cut);
    const auto head = secret.substr(0, shortest);
    const size_t first = std::max(where.from, cut - std::min(cut, secret.size() - 1));
    for (auto at = before.find(head, first); at != std::string_view::npos;
         at = before.find(head, at + 1))
        if (before.substr(at) == secret.substr(0, cut - at)) return cut - at;
    return 0;
}

}  // namespace

void add_secret(std::string_view value) {
    if (value.size() < 4) return;
    std::unique_lock lock(mutex());
    if (insert_new(value)) return;
    // Registered as a token before (a plugin's static credentials pass
    // through the token path too): from now on it is never evicted.
    auto& order = tokens();
    if (auto it = std::find(order.begin(), order.end(), value); it != order.end()) order.erase(it);
}

void add_token_secret(std::string_view value) {
    if (value.size() < 4) return;
    std::unique_lock lock(mutex());
    if (!insert_new(value)) return;
    auto& order = tokens();
    order.emplace_back(value);
    if (order.size() <= max_token_secrets) return;
    // The oldest token leaves.
    const std::string oldest = std::move(order.front());
    order.pop_front();
    auto& values = secrets();
    if (auto it = std::find(values.begin(), values.end(), oldest); it != values.end()) values.erase(it);
}

std::string redact(std::string_view text) {
    return redact_fields(text, {0}, limits::max_echoed_value, limits::max_echoed_value);
}

std::string redact_fields(std::string_view whole, const std::vector<size_t>& starts, size_t most_each,
                          size_t most_all) {
    // Each field's start, as much of it as its cap may keep and a secret
    // its cut would cross: a registry's 16 MiB value is not searched, once
    // per secret and cut point, under the lock every log line takes. Of a
    // field cut, its last bytes too, never shown: a secret may hold " key="
    // and start there, its tail the start of the next field.
    struct Field {
        size_t from, to;    // in `text`
        size_t left_out;    // bytes of `whole` after `to`, not searched
        size_t whole_from;  // in `whole`
    };
    std::string text;
    std::vector<Field> fields;
    // Spans of `text` to mask, found on all the fields together and merged,
    // so a secret across two fields, or masked first, cannot hide another's
    // occurrence or cut point.
    std::vector<std::pair<size_t, size_t>> spans;
    {
        std::shared_lock lock(mutex());
        const size_t longest = secrets().empty() ? 0 : secrets().front().size();
        for (size_t i = 0; i < starts.size(); ++i) {
            const size_t begin = std::min(starts[i], whole.size());
            const size_t next = i + 1 < starts.size() ? starts[i + 1] : whole.size();
            const size_t end = std::clamp(next, begin, whole.size());
            // Not inside a UTF-8 character: masking may shorten the field
            // enough for the cap to keep all of it, marker after.
            const auto field = whole.substr(begin, end - begin);
            const size_t kept = util::utf8_boundary(field, std::min(field.size(), most_each + longest));
            fields.push_back({text.size(), text.size() + kept, end - begin - kept, begin});
            text.append(whole.substr(begin, kept));
            const size_t tail = std::max(begin + kept, end - std::min(end - begin, longest));
            text.append(whole.substr(tail, end - tail));
        }
        const auto cuts = cut_points(text);
        for (const auto& secret : secrets()) {
            for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 1))
                spans.emplace_back(pos, pos + secret.size());
            for (const auto& cut : cuts)
                if (size_t kept = cut_prefix(text, cut, secret)) spans.emplace_back(cut.at - kept, cut.at);
        }
    }
    std::sort(spans.begin(), spans.end());
    std::vector<std::pair<size_t, size_t>> merged;
    for (const auto& [begin, end] : spans) {
        if (!merged.empty() && begin < merged.back().second) merged.back().second = std::max(merged.back().second, end);
        else merged.emplace_back(begin, end);
    }
    // The marker alone, for the fields the line has no room for.
    const size_t room = util::capped({}, 0, whole.size()).size();
    std::string out;
    size_t span = 0;
    for (size_t i = 0; i < fields.size(); ++i) {
        const auto& field = fields[i];
        std::string masked;
        size_t done = field.from;
        while (span < merged.size() && merged[span].second <= field.from) ++span;
        // A span across the field's end is masked in both fields.
        for (size_t k = span; k < merged.size() && merged[k].first < field.to; ++k) {
            masked.append(text, done, std::max(merged[k].first, done) - done);
            masked += "***";
            done = std::min(merged[k].second, field.to);
        }
        masked.append(text, done, field.to - done);
        // Cut once masked, so the cut cannot leave a piece of a secret.
        auto shown = util::capped(mask_credential_fields(std::move(masked)), most_each, field.left_out);
        const bool last = i + 1 == fields.size();
        if (out.size() + shown.size() + (last ? 0 : room) > most_all) {
            out += util::capped({}, 0, whole.size() - field.whole_from);
            break;
        }
        out += shown;
    }
    return out;
}

std::string mask_credential_fields(std::string text) {
    // Scanned by hand, not with a regex: log lines carry registry-chosen text.
    static constexpr std::string_view markers[] = {"authorization:", "password=", "access_token=", "refresh_token=",
                                                   "client_secret="};
    auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    auto ends_value = [&](char c) { return is_space(c) || c == '&' || c == '"' || c == '\'' || c == ','; };
    for (auto marker : markers) {
        for (size_t pos = 0; pos + marker.size() <= text.size();) {
            size_t i = 0;
            while (i < marker.size() && lower(text[pos + i]) == marker[i]) ++i;
            if (i < marker.size()) {
                ++pos;
                continue;
            }
            size_t value = pos + marker.size();
            if (marker.front() == 'a' && marker.back() == ':') {
                // "Authorization: <scheme> <credentials>"
                while (value < text.size() && is_space(text[value])) ++value;
                size_t scheme = value;
                while (value < text.size() && (std::isalnum(static_cast<unsigned char>(text[value])) || text[value] == '_'))
                    ++value;
                size_t gap = value;
                while (value < text.size() && is_space(text[value])) ++value;
                if (value == scheme || value == gap) {
                    pos = value;
                    continue;
                }
            }
            size_t end = value;
            while (end < text.size() && !ends_value(text[end])) ++end;
            if (end > value) text.replace(value, end - value, "***");
            pos = value + (end > value ? 3 : 0);
        }
    }
    return text;
}

}  // namespace regscan::log
