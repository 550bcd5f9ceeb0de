#include "http/plain_url.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <cstring>
#include <memory>

#include <curl/curl.h>

#include "regscan/url.hpp"
#include "util/text.hpp"

namespace regscan::http {

namespace {

// '_' too: Docker Compose service names (http://my_registry:5000) and
// Artifactory repository keys in subdomains hold one; curl and parse_url read it alike.
bool host_character(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool ipv6_character(char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

}  // namespace

std::optional<std::string> plain_url_problem(std::string_view url) {
    for (char c : url) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte >= 0x7f) return "it holds a space, a control or a non-ASCII byte";
        if (c == '@' || c == '#' || c == '?' || c == '\\') return "it holds '@', '#', '?' or '\\'";
    }
    std::string_view rest;
    if (url.substr(0, 7) == "http://") rest = url.substr(7);
    else if (url.substr(0, 8) == "https://") rest = url.substr(8);
    else return "it does not start with http:// or https://";
    const std::string_view authority = rest.substr(0, rest.find('/'));
    std::string_view host = authority, port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return "its IPv6 address is not closed";
        host = authority.substr(1, close - 1);
        if (host.empty()) return "its IPv6 address is empty";
        for (char c : host)
            if (!ipv6_character(c)) return "its IPv6 address holds another character";
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') return "its IPv6 address is followed by something else than a port";
        if (!after.empty()) port = after.substr(1);
        if (!after.empty() && port.empty()) return "its port is empty";
    } else {
        if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
            host = authority.substr(0, colon);
            port = authority.substr(colon + 1);
            if (port.empty()) return "its port is empty";
        }
        if (host.empty()) return "it has no host";
        for (char c : host)
            if (!host_character(c)) return "its host holds another character than letters, digits, '-', '_' and '.'";
    }
    if (port.size() > 5) return "its port is not a number up to 65535";
    for (char c : port)
        if (!std::isdigit(static_cast<unsigned char>(c))) return "its port is not a number up to 65535";
    if (!port.empty() && std::stoul(std::string(port)) > 65535) return "its port is not a number up to 65535";
    return std::nullopt;
}

namespace {

// One part of a URL as curl reads it; "" when absent.
std::string curl_part(CURLU* url, CURLUPart part) {
    char* value = nullptr;
    if (curl_url_get(url, part, &value, 0) != CURLUE_OK || !value) return {};
    std::string text(value);
    curl_free(value);
    return text;
}

// One host as both parsers may spell it: an IPv6 address compared as its
// 16 bytes (curl writes "[0:0::1]" as "[::1]"), a name without regard to case.
bool same_host(const std::string& a, const std::string& b) {
    if (a.size() > 2 && b.size() > 2 && a.front() == '[' && b.front() == '[' && a.back() == ']' && b.back() == ']') {
        in6_addr x{}, y{};
        return inet_pton(AF_INET6, a.substr(1, a.size() - 2).c_str(), &x) == 1 &&
               inet_pton(AF_INET6, b.substr(1, b.size() - 2).c_str(), &y) == 1 && std::memcmp(&x, &y, sizeof x) == 0;
    }
    return util::ascii_lower(a) == util::ascii_lower(b);
}

// One port as both may spell it: "0443" is 443; "" is the scheme's default.
bool same_port(const std::string& a, const std::string& b) {
    auto number = [](const std::string& port) {
        const auto digits = port.find_first_not_of('0');
        return digits == std::string::npos ? std::string(port.empty() ? "" : "0") : port.substr(digits);
    };
    return number(a) == number(b);
}

}  // namespace

std::optional<std::string> curl_reads_differently(const std::string& url) {
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), &curl_url_cleanup);
    if (!parsed) return "no memory to parse the URL";
    // As the transfer reads it: a URL without a scheme is https (CURLOPT_DEFAULT_PROTOCOL).
    if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), CURLU_DEFAULT_SCHEME) != CURLUE_OK)
        return "curl cannot parse the URL";
    if (!curl_part(parsed.get(), CURLUPART_USER).empty() || !curl_part(parsed.get(), CURLUPART_PASSWORD).empty())
        return "the URL holds credentials before its host";
    const auto ours = sdk::parse_url(url);
    if (util::ascii_lower(curl_part(parsed.get(), CURLUPART_SCHEME)) != ours.scheme ||
        !same_host(curl_part(parsed.get(), CURLUPART_HOST), ours.host) ||
        !same_port(curl_part(parsed.get(), CURLUPART_PORT), ours.port))
        return "curl would connect to another origin than the URL names to regscan's checks";
    return std::nullopt;
}

namespace {

// The port http and https connect to when a URL names none.
std::string default_port(const std::string& scheme) { return scheme == "http" ? "80" : "443"; }

// The port a connection to `url` uses: its own, or the scheme's default.
std::string connected_port(const sdk::Url& url) { return url.port.empty() ? default_port(url.scheme) : url.port; }

}  // namespace

std::string origin_of(std::string_view url) {
    auto parsed = sdk::parse_url(url);
    if ((parsed.scheme == "https" || parsed.scheme == "http") && parsed.port == default_port(parsed.scheme))
        parsed.port.clear();
    return parsed.origin();
}

bool same_origin(std::string_view a, std::string_view b) { return origin_of(a) == origin_of(b); }

namespace {

// A DNS name's last label starts with a letter (127.0.0.1, 0x7f000001 and
// [::1] are addresses). A name ending in '.' reads its '\0' there: not a name.
bool is_name(const std::string& host) {
    const auto dot = host.rfind('.');
    const char first = dot == std::string::npos ? host.front() : host[dot + 1];
    return std::isalpha(static_cast<unsigned char>(first)) != 0;
}

}  // namespace

std::optional<std::string> credential_destination_problem(std::string_view registry_url, std::string_view url,
                                                          RegistryHostPorts ports) {
    if (auto problem = plain_url_problem(url)) return "is not a plain http(s) URL (" + *problem + ")";
    const auto registry = sdk::parse_url(registry_url);
    const auto destination = sdk::parse_url(url);
    if (registry.scheme == "https" && destination.scheme != "https") return "drops the https of an https registry";
    const std::string host = util::ascii_lower(registry.host);
    const std::string named = util::ascii_lower(destination.host);
    const bool under = !host.empty() && is_name(host) && named.size() > host.size() + 1 && named.ends_with(host) &&
                       named[named.size() - host.size() - 1] == '.';
    if (host.empty() || (named != host && !under))
        return "is on another host than the registry's (neither it nor one under it)";
    if (ports == RegistryHostPorts::registry_port_only && named == host &&
        !same_port(connected_port(destination), connected_port(registry)))
        return "is on another port of the registry's host";
    return std::nullopt;
}

}  // namespace regscan::http
