// Values that must never be printed: passwords, tokens, Authorization
// headers. Every log line, error message and report passes through redact().
#pragma once

#include <string>
#include <string_view>

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
// by "***".
std::string redact(std::string_view text);

// `text` with the value after "Authorization: <scheme> ", "password=",
// "access_token=", "refresh_token=" and "client_secret=" replaced by "***"
// (the pattern part of redact(), linear in the length of `text`).
std::string mask_credential_fields(std::string text);

}  // namespace regscan::log
