// The misconfiguration rules: stable ids, titles and severities. Reports,
// docs/misconfigurations.md and the tests refer to these ids.
#pragma once

#include <string>

#include "limits/limits.hpp"
#include "scan/model.hpp"

namespace regscan::scan::rules {

struct Rule {
    const char* id;
    const char* title;
    Severity severity;
};

inline constexpr Rule runs_as_root{"RS-CFG-001", "Image runs as root", Severity::medium};
inline constexpr Rule no_healthcheck{"RS-CFG-002", "Image has no HEALTHCHECK", Severity::low};
inline constexpr Rule secret_in_env{"RS-CFG-003", "Secret in an environment variable", Severity::high};
inline constexpr Rule secret_in_label{"RS-CFG-004", "Secret in an image label", Severity::high};
inline constexpr Rule remote_add{"RS-CFG-005", "ADD of a remote URL in the build history", Severity::medium};
inline constexpr Rule setuid_file{"RS-FS-001", "File with the setuid bit", Severity::low};
inline constexpr Rule setgid_file{"RS-FS-002", "File with the setgid bit", Severity::low};
inline constexpr Rule private_key{"RS-FS-003", "Private key left in the image", Severity::high};
inline constexpr Rule cloud_credentials{"RS-FS-004", "Cloud or registry credentials left in the image",
                                        Severity::critical};

// Every finding is made here, so detail and location, which quote what the
// image chose (its User, a label's name, a file's path), are capped once for
// every report, the state and serve.
inline Misconfiguration finding(const Rule& rule, const std::string& detail, const std::string& location) {
    return {rule.id, rule.title, rule.severity, limits::echoed(detail), limits::echoed(location), std::nullopt};
}

}  // namespace regscan::scan::rules
