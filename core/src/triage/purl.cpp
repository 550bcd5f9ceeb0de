#include "triage/purl.hpp"

#include <vector>

#include "util/text.hpp"
#include "vulndb/ecosystem.hpp"

namespace regscan::triage {
namespace {

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(text[i + 2])))
            return std::nullopt;
        out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
        i += 2;
    }
    return out;
}

struct EcosystemPurl {
    std::string type;
    std::string distro;  // expected namespace of OS packages, "" for language ecosystems
};

std::optional<EcosystemPurl> purl_type_of(const std::string& ecosystem) {
    std::string base = ecosystem.substr(0, ecosystem.find(':'));
    if (base == "Debian") return EcosystemPurl{"deb", "debian"};
    if (base == "Ubuntu") return EcosystemPurl{"deb", "ubuntu"};
    if (base == "Alpine") return EcosystemPurl{"apk", "alpine"};
    if (base == "AlmaLinux") return EcosystemPurl{"rpm", "almalinux"};
    if (base == "Rocky Linux") return EcosystemPurl{"rpm", "rocky"};
    if (base == "Red Hat") return EcosystemPurl{"rpm", "redhat"};
    if (base == "npm") return EcosystemPurl{"npm", ""};
    if (base == "PyPI") return EcosystemPurl{"pypi", ""};
    if (base == "Go") return EcosystemPurl{"golang", ""};
    if (base == "Maven") return EcosystemPurl{"maven", ""};
    return std::nullopt;
}

// The purl's package name as the ecosystem writes package names.
std::string name_as_ecosystem_writes(const Purl& purl) {
    if (purl.namespace_.empty()) return purl.name;
    if (purl.type == "maven") return purl.namespace_ + ":" + purl.name;
    if (purl.type == "npm" || purl.type == "golang") return purl.namespace_ + "/" + purl.name;
    return purl.name;  // deb/apk/rpm: the namespace is the distribution
}

bool same_version(const std::string& wanted, const std::string& installed) {
    if (wanted == installed) return true;
    // An explicit epoch 0 is no epoch.
    auto without_zero_epoch = [](const std::string& v) { return v.rfind("0:", 0) == 0 ? v.substr(2) : v; };
    return without_zero_epoch(wanted) == without_zero_epoch(installed);
}

}  // namespace

std::optional<Purl> parse_purl(std::string_view text) {
    if (text.size() < 4 || util::ascii_lower(text.substr(0, 4)) != "pkg:") return std::nullopt;
    text.remove_prefix(4);
    while (!text.empty() && text.front() == '/') text.remove_prefix(1);
    if (auto hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
    Purl purl;
    if (auto question = text.find('?'); question != std::string_view::npos) {
        std::string_view query = text.substr(question + 1);
        text = text.substr(0, question);
        for (size_t start = 0; start <= query.size();) {
            size_t amp = query.find('&', start);
            if (amp == std::string_view::npos) amp = query.size();
            auto pair = query.substr(start, amp - start);
            start = amp + 1;
            auto eq = pair.find('=');
            if (eq == std::string_view::npos || eq == 0) continue;
            auto value = percent_decode(pair.substr(eq + 1));
            if (!value) return std::nullopt;
            purl.qualifiers[util::ascii_lower(pair.substr(0, eq))] = *value;
        }
    }
    // The version follows the last '@' (a literal '@' in a name is encoded).
    if (auto at = text.rfind('@'); at != std::string_view::npos) {
        auto version = percent_decode(text.substr(at + 1));
        if (!version) return std::nullopt;
        purl.version = *version;
        text = text.substr(0, at);
    }
    std::vector<std::string> segments;
    for (size_t start = 0; start <= text.size();) {
        size_t slash = text.find('/', start);
        if (slash == std::string_view::npos) slash = text.size();
        auto segment = text.substr(start, slash - start);
        start = slash + 1;
        if (segment.empty()) continue;
        auto decoded = percent_decode(segment);
        if (!decoded) return std::nullopt;
        segments.push_back(*decoded);
    }
    if (segments.size() < 2) return std::nullopt;
    purl.type = util::ascii_lower(segments.front());
    purl.name = segments.back();
    for (size_t i = 1; i + 1 < segments.size(); ++i) purl.namespace_ += (i > 1 ? "/" : "") + segments[i];
    if (purl.type.empty() || purl.name.empty()) return std::nullopt;
    if (auto epoch = purl.qualifiers.find("epoch"); epoch != purl.qualifiers.end() && !purl.version.empty() &&
                                                   purl.version.find(':') == std::string::npos)
        purl.version = epoch->second + ":" + purl.version;
    return purl;
}

bool purl_matches_package(const Purl& purl, const scan::Vulnerability& finding) {
    auto expected = purl_type_of(finding.ecosystem);
    if (!expected || purl.type != expected->type) return false;
    if (!expected->distro.empty() && !purl.namespace_.empty() && util::ascii_lower(purl.namespace_) != expected->distro)
        return false;
    auto same_name = [&](const std::string& package) {
        std::string named = name_as_ecosystem_writes(purl);
        return purl.type == "pypi" ? vulndb::package_name_key("PyPI", named) == vulndb::package_name_key("PyPI", package)
                                   : named == package;
    };
    if (same_name(finding.package_name) && (purl.version.empty() || same_version(purl.version, finding.package_version)))
        return true;
    if (!finding.source_package.empty() && same_name(finding.source_package)) {
        const std::string& version = finding.source_version.empty() ? finding.package_version : finding.source_version;
        return purl.version.empty() || same_version(purl.version, version);
    }
    return false;
}

bool purl_matches_image(const Purl& purl, const scan::ImageResult& result) {
    if (purl.type != "oci") return false;
    auto slash = result.repository.rfind('/');
    std::string last = slash == std::string::npos ? result.repository : result.repository.substr(slash + 1);
    if (util::ascii_lower(purl.name) != util::ascii_lower(last)) return false;
    if (!purl.version.empty() && util::ascii_lower(purl.version) != util::ascii_lower(result.digest)) return false;
    if (auto url = purl.qualifiers.find("repository_url"); url != purl.qualifiers.end()) {
        std::string wanted = url->second;
        if (auto scheme = wanted.find("://"); scheme != std::string::npos) wanted = wanted.substr(scheme + 3);
        while (!wanted.empty() && wanted.back() == '/') wanted.pop_back();
        if (util::ascii_lower(wanted) != util::ascii_lower(result.registry + "/" + result.repository)) return false;
    }
    if (auto tag = purl.qualifiers.find("tag"); tag != purl.qualifiers.end() && tag->second != result.tag) return false;
    return true;
}

}  // namespace regscan::triage
