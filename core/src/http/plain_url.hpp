// Whether a URL a registry or a queue row handed over is one every parser
// reads the same way: an explicit http or https scheme, a host, an optional
// numeric port and path, and nothing else. sdk::parse_url and libcurl split
// "https://a.example#@b.example" at different places (one sees host
// b.example, the other connects to a.example), and curl guesses http for a
// URL without a scheme: such a URL must never decide where credentials go.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace regscan::http {

// Why `url` is not plain (naming no part of it: it may be hostile), or
// nullopt when it is: "scheme://host[:port][/path]" with scheme http or
// https, the host letters, digits, '-', '.', '_', or an IPv6 literal in
// brackets, and no '@', '#', '?', '\', whitespace, control or non-ASCII byte
// anywhere.
std::optional<std::string> plain_url_problem(std::string_view url);

// Why libcurl would not reach the origin sdk::parse_url reads in `url` (the
// one every origin check of regscan and its plugins compared), or would
// send credentials held in it; nullopt when both read the same origin and
// it holds none. Names no part of the URL.
std::optional<std::string> curl_reads_differently(const std::string& url);

// The origin as sdk::parse_url reads it, without the scheme's default port
// ("https://reg.example:443/v2" -> "https://reg.example"): two URLs of one
// origin compare equal.
std::string origin_of(std::string_view url);

// Whether two URLs name one origin (origin_of): the one comparison of
// redirects, challenges and cached tokens.
bool same_origin(std::string_view a, std::string_view b);

// Which ports of the registry's own host credentials may go to: any (the
// registry's own credentials: its host is its own), or only the registry's
// port (credentials kept by host:port, as docker's are: another port of one
// host is another registry to them).
enum class RegistryHostPorts { any, registry_port_only };

// Why credentials given for `registry_url` may not be sent to `url`, or
// nullopt when they may: `url` is plain (plain_url_problem), keeps https
// when the registry has it, and names the registry's host (on its port when
// `ports` says so; no port is the scheme's default) or a name under it
// (pull.reg.example under reg.example; no host is under an address, nor
// under a name ending in '.'). Names no part of either URL.
std::optional<std::string> credential_destination_problem(std::string_view registry_url, std::string_view url,
                                                          RegistryHostPorts ports = RegistryHostPorts::any);

}  // namespace regscan::http
