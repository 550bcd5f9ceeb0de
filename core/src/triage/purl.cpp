#include "triage/purl.hpp"

#include "util/text.hpp"
#include "vulndb/ecosystem.hpp"

namespace regscan::triage {
namespace {

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

bool same_version(const std::string& wanted, const std::string& installed) {
    if (wanted == installed) return true;
    // An explicit epoch 0 is no epoch.
    auto without_zero_epoch = [](const std::string& v) { return v.rfind("0:", 0) == 0 ? v.substr(2) : v; };
    return without_zero_epoch(wanted) == without_zero_epoch(installed);
}

}  // namespace

bool purl_matches_package(const catalog::purl::Purl& purl, const scan::Vulnerability& finding) {
    auto expected = purl_type_of(finding.ecosystem);
    if (!expected || purl.type != expected->type) return false;
    if (!expected->distro.empty() && !purl.namespace_.empty() && util::ascii_lower(purl.namespace_) != expected->distro)
        return false;
    auto same_name = [&](const std::string& package) {
        std::string named = catalog::purl::package_name(purl);
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

bool purl_matches_image(const catalog::purl::Purl& purl, const scan::ImageResult& result) {
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
