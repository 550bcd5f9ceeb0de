// Package URLs (github.com/package-url/purl-spec): built by the catalogers,
// completed with the OS namespace and distro qualifier once the OS is known;
// parsed where a document names packages by purl (VEX, SBOM input).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace regscan::catalog::purl {

using Qualifiers = std::vector<std::pair<std::string, std::string>>;

// Percent-encodes all but ASCII letters, digits, ".-_~" and ':' (the spec
// keeps ':' as is); '/' too unless `keep_slash` (Go namespaces).
std::string encode(std::string_view text, bool keep_slash = false);

// "pkg:type/namespace/name@version?k=v&..." with qualifiers sorted by key and
// empty values left out; an empty namespace or version is left out.
std::string make(std::string_view type, std::string_view ns, std::string_view name, std::string_view version,
                 Qualifiers qualifiers = {});

// A purl made by make() with its namespace replaced (when `ns` is not empty)
// and one qualifier set; other purls are returned unchanged.
std::string with_namespace_and_qualifier(std::string_view purl, std::string_view ns, std::string_view key,
                                         std::string_view value);

struct Purl {
    std::string type;       // lowercased: "deb", "npm", "oci"
    std::string namespace_; // decoded segments joined with '/': "debian", "@babel", "org.apache"
    std::string name;
    std::string version;    // "" when none; an epoch qualifier is folded in as "E:version"
    std::map<std::string, std::string> qualifiers;  // keys lowercased, values decoded
};

// nullopt when `text` is not "pkg:<type>/<name>..." with valid percent-escapes.
std::optional<Purl> parse(std::string_view text);

// The package's name as its ecosystem writes it: Maven's "group:artifact";
// npm scopes, Go module paths and Composer vendors joined with '/'. Another
// type's namespace (the distribution of deb, apk and rpm) is not part of it.
std::string package_name(const Purl& purl);

}  // namespace regscan::catalog::purl
