// Misconfigurations visible in a layer's files: setuid/setgid bits, private
// keys and credential files. A finding names the file, never its secret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scan/model.hpp"

namespace regscan::scan {

std::vector<Misconfiguration> mode_findings(const std::string& path, uint32_t mode);

// Cheap: whether the content of `path` should be read for secret_findings.
bool wants_secret_check(std::string_view path, uint64_t size);

std::vector<Misconfiguration> secret_findings(const std::string& path, std::string_view content);

}  // namespace regscan::scan
