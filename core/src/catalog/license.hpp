// Licenses as package data declares them, and their SPDX identifiers.
// Catalogers keep the declared words (Debian's "GPL-2+", npm's "MIT",
// Python's classifier); reporters that need SPDX ids ask spdx_id() and fall
// back to the declared name (CycloneDX license.name, SPDX LicenseRef-).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace regscan::catalog::license {

// The SPDX license id a declared name stands for ("GPL-2+" ->
// "GPL-2.0-or-later", "Expat" -> "MIT", "apache 2.0" -> "Apache-2.0",
// "MIT" -> "MIT"); "" when it is not one regscan knows.
std::string spdx_id(std::string_view declared);

// A declared license written as an SPDX expression of known ids ("MIT OR
// Apache-2.0", "(GPL-2.0-only WITH Classpath-exception-2.0)"), with every id
// replaced by its canonical spelling; "" when any part is not.
std::string spdx_expression(std::string_view declared);

// "LicenseRef-" plus the declared name with every character SPDX does not
// allow in an id replaced by '-'.
std::string license_ref(std::string_view declared);

// The licenses a Debian copyright file names, in order, each once: the
// License: fields of a machine-readable (DEP-5) file, split on "or", "and"
// and ","; for other files the /usr/share/common-licenses/<name> they point
// to. Reads at most the first `max_bytes`.
std::vector<std::string> debian_copyright_licenses(std::string_view content, size_t max_bytes = 512 * 1024);

// Adds `name` (trimmed) to `licenses` unless empty, a placeholder
// ("UNKNOWN", "NOASSERTION", "none") or already there.
void add_declared(std::vector<std::string>& licenses, std::string_view name);

}  // namespace regscan::catalog::license
