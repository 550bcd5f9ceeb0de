#include "serve/access.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log/secrets.hpp"
#include "util/text.hpp"

namespace regscan::serve {
namespace {

constexpr size_t token_bytes = 32;  // 256 bits
constexpr size_t min_token_chars = 32;

std::string hex(const unsigned char* data, size_t size) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (size_t i = 0; i < size; ++i) {
        out.push_back(digits[data[i] >> 4]);
        out.push_back(digits[data[i] & 15]);
    }
    return out;
}

std::string random_hex(size_t bytes) {
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
        throw std::runtime_error("the system's random generator failed");
    auto out = hex(reinterpret_cast<const unsigned char*>(raw.data()), bytes);
    OPENSSL_cleanse(raw.data(), raw.size());
    return out;
}

std::string sha256_hex(std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    return hex(digest, size);
}

std::string trim(std::string text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    size_t start = 0;
    while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
    return text.substr(start);
}

std::string read_token(const std::filesystem::path& file) {
    int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        throw std::runtime_error("cannot read the access token file " + file.string() + ": " + std::strerror(errno));
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        throw std::runtime_error("the access token file " + file.string() + " is not a regular file");
    }
    if (info.st_uid != ::geteuid()) {
        ::close(fd);
        throw std::runtime_error("the access token file " + file.string() + " belongs to another user");
    }
    if ((info.st_mode & 077) != 0) {
        ::close(fd);
        throw std::runtime_error("the access token file " + file.string() +
                                 " can be read by other users: chmod 600 it (or delete it for a new token)");
    }
    std::string text;
    char buffer[256];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0 && text.size() < 4096) text.append(buffer, static_cast<size_t>(n));
    ::close(fd);
    text = trim(text);
    if (text.size() < min_token_chars || text.size() > 1024 ||
        std::any_of(text.begin(), text.end(), [](unsigned char c) { return c <= 0x20 || c >= 0x7f; }))
        throw std::runtime_error("the access token file " + file.string() +
                                 " does not hold a usable token (at least 32 printable characters); delete it for a "
                                 "new one");
    return text;
}

bool state_changing(const std::string& method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

}  // namespace

std::string load_or_create_token(const std::filesystem::path& file) {
    std::string token = random_hex(token_bytes);
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno != EEXIST)
            throw std::runtime_error("cannot create the access token file " + file.string() + ": " +
                                     std::strerror(errno));
        token = read_token(file);
        log::add_secret(token);
        return token;
    }
    std::string line = token + "\n";
    bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) {
        std::filesystem::remove(file);
        throw std::runtime_error("cannot write the access token file " + file.string());
    }
    log::add_secret(token);
    return token;
}

bool same_secret(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Access::Access(std::string token, size_t max_sessions, std::chrono::seconds session_lifetime)
    : token_(std::move(token)), max_sessions_(std::max<size_t>(max_sessions, 1)), lifetime_(session_lifetime) {
    if (token_.size() < min_token_chars) throw std::invalid_argument("access token too short");
}

bool Access::token_matches(std::string_view candidate) const { return same_secret(candidate, token_); }

std::optional<std::string> Access::cookie_session(const httpd::Request& request) const {
    std::optional<std::string> found;
    for (const auto& [name, value] : request.headers) {
        if (name != "cookie") continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            auto semi = rest.find(';');
            std::string_view pair = rest.substr(0, semi);
            rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
            while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
            auto eq = pair.find('=');
            if (eq != std::string_view::npos && pair.substr(0, eq) == session_cookie_name) {
                if (found) return std::nullopt;  // two session cookies: neither is trusted
                found = std::string(pair.substr(eq + 1));
            }
        }
    }
    return found;
}

Authentication Access::authenticate(const httpd::Request& request, Clock::time_point now) const {
    Authentication auth;
    if (request.has_header("authorization")) {
        std::string value = request.header("authorization");
        constexpr std::string_view scheme = "bearer ";
        if (value.size() > scheme.size() && util::ascii_lower(value.substr(0, scheme.size())) == scheme)
            auth.ok = token_matches(trim(value.substr(scheme.size())));
        return auth;
    }
    auto id = cookie_session(request);
    if (!id || id->empty() || id->size() > 256) return auth;
    std::string key = sha256_hex(*id);
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(key);
    if (it != sessions_.end() && now - it->second < lifetime_) {
        auth.ok = true;
        auth.by_cookie = true;
    }
    return auth;
}

std::optional<std::string> Access::cross_site_refusal(const httpd::Request& request, const Authentication& auth) const {
    if (request.has_header("origin")) {
        std::string own = std::string(request.tls ? "https://" : "http://") + util::ascii_lower(request.header("host"));
        const std::string origin = util::ascii_lower(request.header("origin"));
        const bool public_one = !public_origin_.empty() && origin == public_origin_;
        if (!public_one && (request.header("host").empty() || origin != own))
            return "cross-origin request refused (Origin is not this server's)";
    }
    if (request.has_header("sec-fetch-site") && util::ascii_lower(request.header("sec-fetch-site")) != "same-origin" &&
        !(util::ascii_lower(request.header("sec-fetch-site")) == "none" && !state_changing(request.method)))
        return "cross-site request refused (Sec-Fetch-Site: " + request.header("sec-fetch-site").substr(0, 32) + ")";
    if (auth.by_cookie && state_changing(request.method) && request.header("x-regscan-csrf") != "1")
        return std::string("a state-changing request with the session cookie needs the header ") + csrf_header + ": 1";
    return std::nullopt;
}

std::string Access::open_session(bool tls, Clock::time_point now) {
    std::string id = random_hex(32);
    {
        std::lock_guard lock(mutex_);
        for (auto it = sessions_.begin(); it != sessions_.end();)
            it = now - it->second >= lifetime_ ? sessions_.erase(it) : std::next(it);
        while (sessions_.size() >= max_sessions_) {
            auto oldest = std::min_element(sessions_.begin(), sessions_.end(),
                                           [](const auto& a, const auto& b) { return a.second < b.second; });
            sessions_.erase(oldest);
        }
        sessions_[sha256_hex(id)] = now;
    }
    return std::string(session_cookie_name) + "=" + id + "; Path=/; HttpOnly; SameSite=Strict" +
           (tls || public_origin_.starts_with("https://") ? "; Secure" : "");
}

std::string Access::close_session(const httpd::Request& request) {
    if (auto id = cookie_session(request); id && !id->empty() && id->size() <= 256) {
        std::lock_guard lock(mutex_);
        sessions_.erase(sha256_hex(*id));
    }
    return std::string(session_cookie_name) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" +
           (request.tls || public_origin_.starts_with("https://") ? "; Secure" : "");
}

size_t Access::sessions() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

void Access::add_security_headers(const httpd::Request& request, httpd::Response& response) {
    response.set("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; "
                 "base-uri 'none'; form-action 'self'");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "no-referrer");
    response.set("X-Frame-Options", "DENY");
    response.set("Cross-Origin-Opener-Policy", "same-origin");
    response.set("Cross-Origin-Resource-Policy", "same-origin");
    if (response.header("Cache-Control").empty() || request.path.rfind("/api/", 0) == 0)
        response.set("Cache-Control", "no-store");
}

}  // namespace regscan::serve
