#include "catalog/license.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "catalog/text.hpp"
#include "util/text.hpp"

namespace regscan::catalog::license {

namespace {

// SPDX ids regscan recognises, canonical spelling: the licenses package data
// declares most often. A declared name is looked up case-insensitively.
constexpr std::array known_ids = {
    "0BSD", "AFL-2.1", "AFL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-1.1", "Apache-2.0",
    "Artistic-1.0", "Artistic-1.0-Perl", "Artistic-2.0", "BSD-1-Clause", "BSD-2-Clause", "BSD-3-Clause",
    "BSD-4-Clause", "BSL-1.0", "bzip2-1.0.6", "CC-BY-3.0", "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0", "CC0-1.0",
    "CDDL-1.0", "CDDL-1.1", "curl", "EPL-1.0", "EPL-2.0", "EUPL-1.2", "FTL", "GFDL-1.2-only",
    "GFDL-1.2-or-later", "GFDL-1.3-only", "GFDL-1.3-or-later", "GPL-1.0-only", "GPL-1.0-or-later",
    "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "HPND", "ICU", "IJG", "ISC",
    "LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only",
    "LGPL-3.0-or-later", "Libpng", "libtiff", "MIT", "MIT-0", "MPL-1.1", "MPL-2.0", "NCSA", "OFL-1.1",
    "OpenSSL", "PHP-3.01", "PostgreSQL", "PSF-2.0", "Python-2.0", "Ruby", "Sleepycat", "TCL", "Unicode-DFS-2016",
    "Unlicense", "Vim", "W3C", "WTFPL", "X11", "Zlib", "ZPL-2.1"};

constexpr std::array known_exceptions = {"Classpath-exception-2.0", "GCC-exception-3.1", "LLVM-exception",
                                         "Autoconf-exception-3.0", "Bison-exception-2.2"};

// Other spellings package data uses, lowercase, for an SPDX id.
constexpr std::pair<const char*, const char*> aliases[] = {
    {"expat", "MIT"},
    {"mit license", "MIT"},
    {"the mit license", "MIT"},
    {"apache 2.0", "Apache-2.0"},
    {"apache-2", "Apache-2.0"},
    {"apache2", "Apache-2.0"},
    {"apache license 2.0", "Apache-2.0"},
    {"apache license, version 2.0", "Apache-2.0"},
    {"apache software license", "Apache-2.0"},
    {"the apache software license, version 2.0", "Apache-2.0"},
    {"the apache license, version 2.0", "Apache-2.0"},
    {"artistic", "Artistic-1.0-Perl"},
    {"new bsd license", "BSD-3-Clause"},
    {"bsd-2", "BSD-2-Clause"},
    {"bsd-3", "BSD-3-Clause"},
    {"isc license", "ISC"},
    {"isc license (iscl)", "ISC"},
    {"mozilla public license 2.0 (mpl 2.0)", "MPL-2.0"},
    {"python software foundation license", "PSF-2.0"},
    {"psf", "PSF-2.0"},
    {"zlib/libpng", "Zlib"},
    {"gplv2", "GPL-2.0-only"},
    {"gplv2+", "GPL-2.0-or-later"},
    {"gplv3", "GPL-3.0-only"},
    {"gplv3+", "GPL-3.0-or-later"},
    {"lgplv2+", "LGPL-2.0-or-later"},
    {"lgplv2.1+", "LGPL-2.1-or-later"},
    {"lgplv3+", "LGPL-3.0-or-later"},
    {"gnu general public license v2 (gplv2)", "GPL-2.0-only"},
    {"gnu general public license v3 (gplv3)", "GPL-3.0-only"},
    {"gnu lesser general public license v3 (lgplv3)", "LGPL-3.0-only"},
    {"eclipse public license 2.0", "EPL-2.0"},
    {"eclipse public license - v 2.0", "EPL-2.0"},
    {"cc0", "CC0-1.0"},
    {"boost", "BSL-1.0"},
};

template <size_t N>
std::string canonical_in(const std::array<const char*, N>& list, std::string_view name) {
    std::string wanted = util::ascii_lower(name);
    for (const char* id : list)
        if (util::ascii_lower(id) == wanted) return id;
    return {};
}

// Debian's and RPM's "GPL-2", "GPL-2+", "LGPL-2.1+", "GFDL-1.3" and SPDX's
// deprecated "GPL-2.0", "GPL-2.0+": the GNU family with only / or-later.
std::string gnu_family(std::string_view name) {
    std::string text = util::ascii_lower(name);
    bool or_later = false;
    if (text.ends_with("+")) {
        or_later = true;
        text.pop_back();
    } else if (text.ends_with("-or-later")) {
        or_later = true;
        text.resize(text.size() - 9);
    } else if (text.ends_with("-only")) {
        text.resize(text.size() - 5);
    }
    for (const char* family : {"agpl", "lgpl", "gpl", "gfdl"}) {
        std::string prefix = std::string(family) + "-";
        if (!text.starts_with(prefix)) continue;
        std::string version = text.substr(prefix.size());
        if (version.size() == 1) version += ".0";  // "2" -> "2.0"
        // canonical_in() gives the id its upper-case spelling back.
        return canonical_in(known_ids, prefix + version + (or_later ? "-or-later" : "-only"));
    }
    return {};
}

bool id_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-'; }

}  // namespace

std::string spdx_id(std::string_view declared) {
    std::string_view name = text::trim(declared);
    if (name.empty() || name.size() > 200) return {};
    if (std::string id = canonical_in(known_ids, name); !id.empty()) return id;
    if (std::string id = gnu_family(name); !id.empty()) return id;
    std::string wanted = util::ascii_lower(name);
    // "BSD-3-clause", "Apache-2" and friends differ from the id only in case
    // or a missing ".0".
    if (std::string id = canonical_in(known_ids, wanted + ".0"); !id.empty()) return id;
    for (const auto& [alias, id] : aliases)
        if (wanted == alias) return id;
    // Python classifiers: "License :: OSI Approved :: MIT License".
    if (wanted.starts_with("license ::")) {
        std::string_view last = name.substr(name.rfind("::") + 2);
        return spdx_id(text::trim(last));
    }
    return {};
}

std::string spdx_expression(std::string_view declared) {
    std::string_view rest = text::trim(declared);
    if (rest.empty() || rest.size() > 1000) return {};
    std::string out;
    bool after_with = false;
    int depth = 0;
    bool expect_operand = true;
    while (!rest.empty()) {
        char c = rest.front();
        if (c == ' ' || c == '\t') {
            rest.remove_prefix(1);
            continue;
        }
        if (c == '(' || c == ')') {
            if (c == '(' ? !expect_operand : expect_operand) return {};
            depth += c == '(' ? 1 : -1;
            if (depth < 0) return {};
            if (c == '(') out += out.empty() || out.back() == '(' ? "(" : " (";
            else out += ")";
            rest.remove_prefix(1);
            continue;
        }
        size_t length = 0;
        while (length < rest.size() && (id_char(rest[length]) || rest[length] == '+')) ++length;
        if (length == 0) return {};
        std::string_view token = rest.substr(0, length);
        rest.remove_prefix(length);
        std::string upper = util::ascii_upper(token);
        if (upper == "AND" || upper == "OR" || upper == "WITH") {
            if (expect_operand) return {};
            after_with = upper == "WITH";
            out += " " + upper;
            expect_operand = true;
            continue;
        }
        if (!expect_operand) return {};
        std::string id;
        if (after_with) id = canonical_in(known_exceptions, token);
        else if (token.starts_with("LicenseRef-")) id = std::string(token);
        else id = canonical_in(known_ids, token);
        if (id.empty() && !after_with) id = gnu_family(token);
        if (id.empty()) return {};
        if (!out.empty() && out.back() != '(') out += " ";
        out += id;
        after_with = false;
        expect_operand = false;
    }
    if (depth != 0 || expect_operand) return {};
    return out;
}

std::string license_ref(std::string_view declared) {
    std::string out = "LicenseRef-";
    for (char c : text::trim(declared)) out += id_char(c) ? c : '-';
    if (out.size() == std::string_view("LicenseRef-").size()) out += "unknown";
    return out;
}

void add_declared(std::vector<std::string>& licenses, std::string_view name) {
    name = text::trim(name);
    // A declared value is a name, never a whole license text.
    if (name.empty() || name.size() > 200) return;
    std::string folded = util::ascii_lower(name);
    if (folded == "unknown" || folded == "noassertion" || folded == "none" || folded == "unlicensed" ||
        folded == "see license" || folded == "other")
        return;
    if (std::find(licenses.begin(), licenses.end(), name) != licenses.end()) return;
    if (licenses.size() >= 64) return;
    licenses.emplace_back(name);
}

std::vector<std::string> debian_copyright_licenses(std::string_view content, size_t max_bytes) {
    content = content.substr(0, max_bytes);
    std::vector<std::string> licenses;
    std::string_view probe = content;
    bool machine_readable = text::next_line(probe).starts_with("Format:");
    if (machine_readable) {
        std::string_view rest = content;
        while (!rest.empty()) {
            std::string_view line = text::next_line(rest);
            if (!line.starts_with("License:")) continue;
            std::string_view raw = text::trim(line.substr(8));
            // Real ones name a few licenses; a longer line would cost its length squared below.
            if (raw.size() > 4096) continue;
            std::string value(raw);
            // "GPL-2+ or Artistic", "BSD-3-clause and GPL-2", "MIT, BSD".
            for (std::string separator : {" or ", " and ", ","}) {
                size_t at = 0;
                std::string folded = util::ascii_lower(value);
                while ((at = folded.find(separator, at)) != std::string::npos) {
                    value.replace(at, separator.size(), "\n");
                    folded.replace(at, separator.size(), "\n");
                }
            }
            std::string_view parts = value;
            while (!parts.empty()) {
                std::string_view part = text::trim(text::next_line(parts));
                // "GPL-2+ with OpenSSL exception": the license is the first word.
                part = part.substr(0, part.find(' '));
                add_declared(licenses, part);
            }
        }
        return licenses;
    }
    constexpr std::string_view common = "/usr/share/common-licenses/";
    size_t at = 0;
    while ((at = content.find(common, at)) != std::string_view::npos) {
        at += common.size();
        size_t end = at;
        while (end < content.size() && (id_char(content[end]) || content[end] == '+')) ++end;
        std::string_view name = content.substr(at, end - at);
        while (name.ends_with(".")) name.remove_suffix(1);
        add_declared(licenses, name);
    }
    return licenses;
}

}  // namespace regscan::catalog::license
