#include "local/sbom_input.hpp"

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "catalog/cataloger.hpp"
#include "catalog/license.hpp"
#include "catalog/purl.hpp"
#include "catalog/rpm_header.hpp"
#include "regscan/error.hpp"
#include "triage/input.hpp"
#include "util/json_shape.hpp"
#include "util/text.hpp"

namespace regscan::local {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& shown, const std::string& why) {
    throw sdk::Error(REGSCAN_ERROR, shown + ": " + why);
}

std::string string_at(const json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? util::valid_utf8(it->get<std::string>()) : std::string();
}

// "glibc" or "glibc@2.36-9" (regscan, Syft): the source package and its
// version when it differs.
void split_upstream(const std::string& upstream, std::string& name, std::string& version) {
    auto at = upstream.find('@');
    name = upstream.substr(0, at);
    if (at != std::string::npos) version = upstream.substr(at + 1);
}

struct PurlPackage {
    scan::Package package;
    std::string distro;  // the distro qualifier ("debian-12"), "" when none
    bool upstream_given = false;  // the purl named the source package
};

// The source package a document says besides the purl (Trivy writes no
// upstream qualifier): name and version, or empty.
struct SourcePackage {
    std::string name, version;
};

// CycloneDX properties: regscan's own, or Trivy's (SrcName, SrcEpoch,
// SrcVersion, SrcRelease).
SourcePackage source_from_properties(const json& entry) {
    SourcePackage source;
    auto properties = entry.find("properties");
    if (properties == entry.end() || !properties->is_array()) return source;
    std::map<std::string, std::string> values;
    for (const auto& property : *properties)
        if (property.is_object()) values.emplace(string_at(property, "name"), string_at(property, "value"));
    auto value = [&](const char* key) {
        auto it = values.find(key);
        return it == values.end() ? std::string() : it->second;
    };
    if (!value("regscan:source_name").empty()) return {value("regscan:source_name"), value("regscan:source_version")};
    source.name = value("aquasecurity:trivy:SrcName");
    if (source.name.empty()) return source;
    const std::string epoch = value("aquasecurity:trivy:SrcEpoch"), release = value("aquasecurity:trivy:SrcRelease");
    source.version = value("aquasecurity:trivy:SrcVersion");
    if (!source.version.empty()) {
        if (!release.empty()) source.version += "-" + release;
        if (!epoch.empty() && epoch != "0") source.version = epoch + ":" + source.version;
    }
    return source;
}

// SPDX sourceInfo as regscan and Trivy write it: "built package from: glibc 2.36-9".
SourcePackage source_from_info(const std::string& info) {
    constexpr std::string_view prefix = "built package from: ";
    if (info.rfind(prefix, 0) != 0) return {};
    std::string rest = info.substr(prefix.size());
    auto space = rest.find(' ');
    return {rest.substr(0, space), space == std::string::npos ? std::string() : rest.substr(space + 1)};
}

std::optional<PurlPackage> purl_package(std::string_view text) {
    auto purl = catalog::purl::parse(text);
    if (!purl) return std::nullopt;
    PurlPackage out;
    auto& p = out.package;
    p.purl = util::valid_utf8(text);
    p.name = util::valid_utf8(catalog::purl::package_name(*purl));
    p.version = util::valid_utf8(purl->version);
    const std::string ns = util::valid_utf8(purl->namespace_);
    auto qualifier = [&](const char* key) {
        auto it = purl->qualifiers.find(key);
        return it == purl->qualifiers.end() ? std::string() : util::valid_utf8(it->second);
    };
    const std::string& type = purl->type;
    if (type == "deb" || type == "apk" || type == "rpm") {
        p.type = type;
        out.distro = qualifier("distro");
        // As the catalogers fill them: the source package is always named
        // (OSV's Debian and Alpine records are keyed by it).
        p.source_name = p.name;
        p.source_version = p.version;
        std::string upstream = qualifier("upstream");
        if (type == "rpm" && upstream.ends_with(".src.rpm")) {
            if (auto source = catalog::rpm::parse_source_rpm(upstream)) {
                out.upstream_given = true;
                p.source_name = source->name;
                auto colon = p.version.find(':');  // a source rpm's name has no epoch: it is the binary's
                p.source_version = (colon == std::string::npos ? "" : p.version.substr(0, colon + 1)) + source->version;
            }
        } else if (!upstream.empty()) {
            out.upstream_given = true;
            std::string version;
            split_upstream(upstream, p.source_name, version);
            if (!version.empty()) p.source_version = version;
            if (p.source_name.empty()) p.source_name = p.name;
        }
    } else if (type == "npm") {
        p.type = "npm";
        p.ecosystem = "npm";
    } else if (type == "pypi") {
        p.type = "python";
        p.ecosystem = "PyPI";
    } else if (type == "golang") {
        p.ecosystem = "Go";
        p.type = ns.empty() && p.name == "stdlib" ? "go-stdlib" : "go-module";
        // Syft writes the toolchain's name ("go1.21.5"); the Go records and
        // regscan's own SBOMs the release ("1.21.5").
        if (p.type == "go-stdlib" && p.version.size() > 2 && p.version.rfind("go", 0) == 0 &&
            p.version[2] >= '0' && p.version[2] <= '9')
            p.version = p.version.substr(2);
    } else if (type == "maven") {
        p.type = "java-archive";
        p.ecosystem = "Maven";
    } else if (type == "gem") {
        p.type = "gem";
        p.ecosystem = "RubyGems";
    } else if (type == "cargo") {
        p.type = "cargo";
        p.ecosystem = "crates.io";
    } else if (type == "nuget") {
        p.type = "nuget";
        p.ecosystem = "NuGet";
    } else if (type == "composer") {
        p.type = "composer";
        p.ecosystem = "Packagist";
    } else {
        p.type = util::valid_utf8(type);  // listed, not matched: no ecosystem
        if (!ns.empty()) p.name = ns + "/" + p.name;
    }
    return out;
}

bool os_type(const std::string& type) { return type == "deb" || type == "apk" || type == "rpm"; }

class Reader {
public:
    explicit Reader(std::string shown) : shown_(std::move(shown)) {}

    [[noreturn]] void fail(const std::string& where, const std::string& why) const {
        local::fail(shown_, where + ": " + why);
    }

    void cyclonedx(const json& root) {
        contents_.format = "CycloneDX " + string_at(root, "specVersion");
        if (auto metadata = root.find("metadata"); metadata != root.end() && metadata->is_object())
            if (auto subject = metadata->find("component"); subject != metadata->end() && subject->is_object())
                component(*subject, "metadata.component");
        if (auto components = root.find("components"); components != root.end()) {
            if (!components->is_array()) fail("components", "not an array");
            cyclonedx_components(*components, "components");
        }
    }

    void spdx(const json& root) {
        contents_.format = string_at(root, "spdxVersion");
        std::map<std::string, std::string> extracted;  // LicenseRef-... -> the name it stands for
        if (auto infos = root.find("hasExtractedLicensingInfos"); infos != root.end() && infos->is_array())
            for (const auto& info : *infos)
                if (info.is_object()) extracted[string_at(info, "licenseId")] = string_at(info, "name");
        auto packages = root.find("packages");
        if (packages == root.end()) return;  // a document of files only: no package
        if (!packages->is_array()) fail("packages", "not an array");
        for (size_t i = 0; i < packages->size(); ++i) {
            const auto& entry = (*packages)[i];
            const std::string where = "packages[" + std::to_string(i) + "]";
            count(where);
            if (!entry.is_object()) fail(where, "not an object");
            const std::string purpose = string_at(entry, "primaryPackagePurpose");
            if (purpose == "OPERATING-SYSTEM") {
                document_os(string_at(entry, "name"), string_at(entry, "versionInfo"));
                continue;
            }
            std::string purl;
            if (auto refs = entry.find("externalRefs"); refs != entry.end()) {
                if (!refs->is_array()) fail(where + ".externalRefs", "not an array");
                for (const auto& ref : *refs)
                    if (ref.is_object() && string_at(ref, "referenceType") == "purl") {
                        purl = string_at(ref, "referenceLocator");
                        break;
                    }
            }
            std::vector<std::string> licenses;
            std::string declared = string_at(entry, "licenseDeclared");
            if (auto name = extracted.find(declared); name != extracted.end() && !name->second.empty())
                declared = name->second;
            if (declared != "NONE") catalog::license::add_declared(licenses, declared);
            if (purpose == "CONTAINER" && (purl.empty() || purl.rfind("pkg:oci/", 0) == 0)) {
                images_.insert(purl.empty() ? "SPDXID " + string_at(entry, "SPDXID") : purl);
                continue;
            }
            add(purl, string_at(entry, "name"), std::move(licenses), purpose == "CONTAINER",
                source_from_info(string_at(entry, "sourceInfo")));
        }
    }

    SbomContents finish() {
        // OS packages: the ecosystem of the release their distro qualifier
        // names, else of the document's operating system.
        std::map<std::string, std::vector<size_t>> by_distro;
        for (size_t i = 0; i < contents_.packages.size(); ++i)
            if (os_type(contents_.packages[i].type)) by_distro[distros_[i]].push_back(i);
        std::optional<scan::OsRelease> first_os;
        for (size_t i = 0; i < contents_.packages.size() && !first_os; ++i)
            if (os_type(contents_.packages[i].type) && !distros_[i].empty()) first_os = os_from_distro(distros_[i]);
        std::map<std::string, size_t> unmatched_os;  // "deb packages of debian-unstable" -> count
        for (auto& [distro, indexes] : by_distro) {
            auto os = distro.empty() ? document_os_ : os_from_distro(distro);
            std::vector<scan::Package> group;
            for (size_t i : indexes) group.push_back(contents_.packages[i]);
            catalog::assign_os_ecosystem(group, os);
            for (size_t k = 0; k < indexes.size(); ++k) {
                auto& package = contents_.packages[indexes[k]];
                package.ecosystem = group[k].ecosystem;  // the purl stays as the document wrote it
                if (package.ecosystem.empty())
                    ++unmatched_os[package.type + " packages of " +
                                   (distro.empty() ? std::string("no distro qualifier") : "distro " + distro)];
            }
        }
        contents_.os = first_os ? first_os : document_os_;
        if (images_.size() > 1)
            contents_.notes.push_back("the SBOM describes " + std::to_string(images_.size()) +
                                      " images: their packages are read as one image's (scan each image's own "
                                      "SBOM, e.g. --sbom-per-image, to tell them apart)");
        if (no_purl_)
            contents_.notes.push_back(std::to_string(no_purl_) + " SBOM components have no package URL (purl): "
                                                                 "not matched");
        if (bad_purl_)
            contents_.notes.push_back(std::to_string(bad_purl_) + " SBOM components have a purl that does not parse: "
                                                                  "not matched");
        for (const auto& [type, count] : unknown_types_)
            contents_.notes.push_back(std::to_string(count) + " SBOM packages of purl type " + type +
                                      ": not matched (regscan has no data for the type)");
        for (const auto& [what, count] : unmatched_os)
            contents_.notes.push_back(std::to_string(count) + " SBOM " + what +
                                      ": not matched (no distribution release regscan has data for)");
        return std::move(contents_);
    }

private:
    void count(const std::string& where) {
        if (++components_ > max_sbom_components)
            fail(where, "more than " + std::to_string(max_sbom_components) + " components or packages");
    }

    void document_os(const std::string& name, const std::string& version) {
        if (document_os_ || name.empty()) return;
        scan::OsRelease os;
        os.id = util::ascii_lower(name);
        if (!version.empty() && version.front() >= '0' && version.front() <= '9')
            os.version_id = version;
        else
            os.version_codename = version;
        document_os_ = os;
    }

    void cyclonedx_components(const json& components, const std::string& where) {
        for (size_t i = 0; i < components.size(); ++i)
            component(components[i], where + "[" + std::to_string(i) + "]");
    }

    void component(const json& entry, const std::string& where) {
        count(where);
        if (!entry.is_object()) fail(where, "not an object");
        const std::string type = string_at(entry, "type");
        if (type == "operating-system") {
            document_os(string_at(entry, "name"), string_at(entry, "version"));
        } else {
            const std::string purl = string_at(entry, "purl");
            // The image itself (an oci or docker purl, regscan's container
            // component) holds packages and is not one; nor is a registry, a
            // file or a device without a purl.
            static const std::set<std::string> not_packages = {"container", "platform", "file",  "device",
                                                               "firmware",  "data",     "machine-learning-model"};
            if (purl.rfind("pkg:oci/", 0) == 0 || purl.rfind("pkg:docker/", 0) == 0)
                images_.insert(purl);
            else
                add(purl, string_at(entry, "name"), cyclonedx_licenses(entry), not_packages.count(type) > 0,
                    source_from_properties(entry));
        }
        if (auto nested = entry.find("components"); nested != entry.end()) {
            if (!nested->is_array()) fail(where + ".components", "not an array");
            cyclonedx_components(*nested, where + ".components");
        }
    }

    static std::vector<std::string> cyclonedx_licenses(const json& entry) {
        std::vector<std::string> licenses;
        auto list = entry.find("licenses");
        if (list == entry.end() || !list->is_array()) return licenses;
        for (const auto& choice : *list) {
            if (!choice.is_object()) continue;
            if (auto expression = string_at(choice, "expression"); !expression.empty()) {
                catalog::license::add_declared(licenses, expression);
            } else if (auto license = choice.find("license"); license != choice.end() && license->is_object()) {
                auto id = string_at(*license, "id");
                catalog::license::add_declared(licenses, id.empty() ? string_at(*license, "name") : id);
            }
        }
        return licenses;
    }

    // `quiet_without_purl`: an entry that is not expected to name a package
    // (a file, an image) is not counted as unmatched when it has no purl.
    void add(const std::string& purl, const std::string& listed_name, std::vector<std::string> licenses,
             bool quiet_without_purl, const SourcePackage& source) {
        if (purl.empty()) {
            if (!quiet_without_purl) ++no_purl_;
            return;
        }
        auto parsed = purl_package(purl);
        if (!parsed) {
            ++bad_purl_;
            return;
        }
        if (!seen_.insert(parsed->package.purl).second) return;  // listed twice (several images, or nested twice)
        auto& package = parsed->package;
        if (os_type(package.type) && !parsed->upstream_given && !source.name.empty()) {
            package.source_name = source.name;
            if (!source.version.empty()) package.source_version = source.version;
        }
        // PyPI's purl name is normalised: the name as the package wrote it, when the document kept it.
        if (package.type == "python" && !listed_name.empty() &&
            util::ascii_lower(listed_name) != listed_name && util::ascii_lower(listed_name) == package.name)
            package.name = listed_name;
        package.licenses = std::move(licenses);
        if (package.ecosystem.empty() && !os_type(package.type)) ++unknown_types_[package.type];
        distros_.push_back(parsed->distro);
        contents_.packages.push_back(std::move(package));
    }

    std::string shown_;
    SbomContents contents_;
    std::vector<std::string> distros_;  // per package
    std::optional<scan::OsRelease> document_os_;
    std::set<std::string> seen_;
    std::set<std::string> images_;  // the images (oci/docker purls, SPDX containers) the document describes
    std::map<std::string, size_t> unknown_types_;
    size_t components_ = 0, no_purl_ = 0, bad_purl_ = 0;
};

}  // namespace

std::optional<scan::Package> package_from_purl(std::string_view purl) {
    auto parsed = purl_package(purl);
    if (!parsed) return std::nullopt;
    return std::move(parsed->package);
}

std::optional<scan::OsRelease> os_from_distro(std::string_view distro) {
    if (distro.empty()) return std::nullopt;
    scan::OsRelease os;
    const std::string text = util::ascii_lower(util::valid_utf8(distro));
    auto dash = text.rfind('-');
    if (dash == std::string::npos || dash == 0 || dash + 1 == text.size()) {
        os.id = text;
        return os;
    }
    os.id = text.substr(0, dash);
    std::string release = text.substr(dash + 1);
    if (release.front() >= '0' && release.front() <= '9')
        os.version_id = release;
    else
        os.version_codename = release;
    return os;
}

SbomContents parse_sbom(std::string_view text, const std::string& shown) {
    // The other encodings of both formats say what they are, not "not JSON".
    auto start = text.find_first_not_of(" \t\r\n");
    if (start != std::string_view::npos && text.substr(start, 3) == "\xef\xbb\xbf") start += 3;  // a BOM
    const std::string_view head = start == std::string_view::npos ? std::string_view() : text.substr(start);
    if (head.rfind("<", 0) == 0)
        fail(shown, "an XML document: regscan reads CycloneDX and SPDX in their JSON form only");
    if (head.rfind("SPDXVersion:", 0) == 0)
        fail(shown, "an SPDX tag-value document: regscan reads SPDX 2.3 in its JSON form only");
    // Before the parser builds anything: memory stays a small multiple of the file.
    if (auto problem = util::json_shape_problem(text, {max_sbom_depth, max_sbom_values}))
        throw sdk::Error(REGSCAN_ERROR, shown + ":" + std::to_string(triage::line_of(text, problem->offset)) + ": " +
                                            problem->why);
    json root;
    try {
        root = json::parse(text);
    } catch (const json::parse_error& e) {
        throw sdk::Error(REGSCAN_ERROR, shown + ":" + std::to_string(triage::line_of(text, e.byte ? e.byte - 1 : 0)) +
                                            ": not valid JSON (" + e.what() + ")");
    } catch (const json::exception& e) {
        fail(shown, std::string("not usable JSON (") + e.what() + ")");
    }
    if (!root.is_object()) fail(shown, "not a JSON object");
    Reader reader(shown);
    const std::string spdx_version = string_at(root, "spdxVersion");
    if (string_at(root, "bomFormat") == "CycloneDX") {
        reader.cyclonedx(root);
    } else if (spdx_version == "SPDX-2.3" || spdx_version == "SPDX-2.2") {
        reader.spdx(root);
    } else {
        fail(shown, "neither a CycloneDX JSON document (bomFormat \"CycloneDX\") nor SPDX 2.3 JSON (spdxVersion "
                    "\"SPDX-2.3\")");
    }
    return reader.finish();
}

SbomContents read_sbom(const std::filesystem::path& path) {
    const std::string shown = path.string();
    std::string text;
    try {
        text = triage::read_bounded_file(path.string(), max_sbom_size);
    } catch (const triage::InputError& e) {
        throw sdk::Error(REGSCAN_ERROR, e.what());
    }
    return parse_sbom(text, shown);
}

scan::ImageResult sbom_image_result(SbomContents contents) {
    scan::ImageResult result;
    result.status = scan::ScanStatus::scanned;
    result.os = std::move(contents.os);
    result.packages = std::move(contents.packages);
    result.notes = std::move(contents.notes);
    return result;
}

std::string sbom_tag(const std::filesystem::path& file) {
    std::string tag;
    for (char c : file.filename().string()) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                             c == '.' || c == '-';
        tag += allowed ? c : '_';
        if (tag.size() == 128) break;
    }
    if (tag.empty() || tag.front() == '.' || tag.front() == '-') tag.insert(tag.begin(), '_');
    return tag.substr(0, 128);
}

}  // namespace regscan::local
