// Values that must never be printed: passwords, tokens, Authorization
// headers. Every log line, error message and report passes through redact().
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace regscan::log {

// Registers a secret for the life of the process, even one registered as a
// token secret before. Thread-safe. Values shorter than four characters are
// ignored: redacting "a" would garble every line.
void add_secret(std::string_view value);

// Registers a short-lived secret (a registry's Bearer or refresh token;
// one registered by add_secret already stays for the process's life):
// only the newest `max_token_secrets` are kept, so a long-running serve or
// worker, or a token service answering a new token to every request, does
// not make the list (and every log line's redaction) grow without end.
inline constexpr size_t max_token_secrets = 4096;
void add_token_secret(std::string_view value);

// `text` with every registered secret, and the credential part of any
// "Authorization: <scheme> <credentials>" or "password=" fragment, replaced
// by "***". So is a secret cut short where a quote of it may end: at the end
// of `text`, and where sdk::HttpResponse::describe() cut a body it quotes
// ("HTTP 401: " and 200 bytes), whatever follows (a long token cut there
// would otherwise show its first 190 bytes). The piece masked holds at least
// half the secret, 4 to 8 bytes. The result is capped at
// limits::max_echoed_value bytes: where a failure becomes data (the reports,
// the state, serve) it passes here.
std::string redact(std::string_view text);

// redact() for a text made of fields (a log line's message and each
// " key=value"): `starts` says where each begins (ascending, the first 0;
// each ends where the next begins). Secrets are masked across the whole
// text, then each field is capped at `most_each` bytes, so a long field
// leaves the fields after it whole; the fields that would take the result
// past `most_all` bytes are left out together, said by one marker.
// A secret holding " key=" is masked whole wherever the fields split it,
// even where the field it starts in is cut before it. Searches at most
// `most_each` and the longest secret of each field's start, and the longest
// secret of a cut field's end.
std::string redact_fields(std::string_view text, const std::vector<size_t>& starts, size_t most_each,
                          size_t most_all);

// `text` with the value after "Authorization: <scheme> ", "password=",
// "access_token=", "refresh_token=" and "client_secret=" replaced by "***"
// (the pattern part of redact(), linear in the length of `text`).
std::string mask_credential_fields(std::string text);

}  // namespace regscan::log
