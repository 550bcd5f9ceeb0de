// The triage inputs a user hands regscan (and may have been handed): an
// ignore file and a VEX document (OpenVEX or CycloneDX), then the policy
// they make applied to a result whose ids, aliases, packages and malware
// findings come from the same bytes, and --fail-on's parser. The first byte picks the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "catalog/purl.hpp"
#include "triage/fail_on.hpp"
#include "triage/ignore_file.hpp"
#include "triage/input.hpp"
#include "triage/policy.hpp"
#include "triage/purl.hpp"
#include "triage/vex.hpp"

using namespace regscan;

namespace {

scan::ImageResult result_from(std::string_view text) {
    scan::ImageResult result;
    result.registry = "127.0.0.1:5000";
    result.repository = "team/api";
    result.tag = "1.0";
    result.digest = "sha256:abc";
    // A line per finding: id, alias, package, version, ecosystem.
    size_t start = 0;
    for (int i = 0; i < 8 && start < text.size(); ++i) {
        size_t end = text.find('\n', start);
        std::string line(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        start = end == std::string_view::npos ? text.size() : end + 1;
        scan::Vulnerability v;
        v.id = line.substr(0, 24);
        v.aliases = {line.substr(line.size() / 2)};
        v.package_name = line.substr(0, line.size() / 3);
        v.package_version = line.substr(line.size() / 3, 8);
        v.ecosystem = i % 2 ? "Debian:12" : "npm";
        v.source_package = line.substr(line.size() / 4, 6);
        v.severity = static_cast<scan::Severity>(i % 5);
        result.vulnerabilities.push_back(v);
        scan::Misconfiguration m;
        m.id = v.id;
        result.misconfigurations.push_back(m);
        scan::MalwareFinding f;  // signature, matched file's sha256 and path from the line too
        f.signature = v.id;
        f.sha256 = line.substr(line.size() / 2, 64);
        f.path = line.substr(line.size() / 3);
        result.malware.findings.push_back(f);
    }
    if (!result.malware.findings.empty()) {
        result.malware.verdict = scan::MalwareVerdict::found;
        result.malware.reason.clear();
    }
    return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        switch (data[0] % 4) {
            case 0: {
                std::vector<triage::IgnoreFile> files{triage::parse_ignore_file(text, "fuzz.ignore")};
                triage::Policy policy({}, true, std::move(files), {}, "2026-12-04");
                auto result = result_from(text);
                policy.apply(result);
                (void)triage::without_suppressed(result);
                break;
            }
            case 1: {
                std::vector<triage::VexDocument> documents{triage::parse_vex(text, "fuzz.json")};
                triage::Policy policy({scan::Severity::high}, false, {}, std::move(documents), "2026-12-04");
                auto result = result_from(text);
                policy.apply(result);
                break;
            }
            case 2: {
                if (auto purl = catalog::purl::parse(text)) {
                    auto result = result_from(text);
                    (void)triage::purl_matches_image(*purl, result);
                    for (const auto& v : result.vulnerabilities) (void)triage::purl_matches_package(*purl, v);
                }
                break;
            }
            case 3: (void)triage::parse_fail_on(text); break;
        }
    } catch (const triage::InputError&) {
    }
    return 0;
}
