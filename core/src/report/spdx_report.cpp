#include "report/spdx_report.hpp"

#include "catalog/license.hpp"
#include "report/cyclonedx_report.hpp"
#include "report/package_graph.hpp"
#include "report/per_image.hpp"
#include "report/report_file.hpp"
#include "report/report_name.hpp"
#include "util/time.hpp"

namespace regscan::report {
namespace {

nlohmann::json purl_reference(const std::string& purl) {
    return {{"referenceCategory", "PACKAGE-MANAGER"}, {"referenceType", "purl"}, {"referenceLocator", purl}};
}

nlohmann::json relationship(const std::string& from, const std::string& type, const std::string& to) {
    return {{"spdxElementId", from}, {"relationshipType", type}, {"relatedSpdxElement", to}};
}

// Language packages are libraries; OS packages too, as Syft and Trivy say.
nlohmann::json package_json(const scan::Package& p, const std::string& id, std::map<std::string, std::string>& refs) {
    nlohmann::json package = {{"SPDXID", id},
                              {"name", p.name.empty() ? std::string("unknown") : p.name},
                              {"downloadLocation", "NOASSERTION"},
                              {"filesAnalyzed", false},
                              {"licenseConcluded", "NOASSERTION"},
                              {"licenseDeclared", spdx_license_declared(p.licenses, refs)},
                              {"copyrightText", "NOASSERTION"},
                              {"primaryPackagePurpose", "LIBRARY"}};
    if (!p.version.empty()) package["versionInfo"] = p.version;
    if (!p.purl.empty()) package["externalRefs"] = {purl_reference(p.purl)};
    if (!p.source_name.empty() && (p.source_name != p.name || p.source_version != p.version))
        package["sourceInfo"] =
            "built package from: " + p.source_name + (p.source_version.empty() ? "" : " " + p.source_version);
    std::string comment = "type " + p.type;
    if (!p.location.empty()) comment += ", found in " + p.location;
    if (!p.layer_digest.empty()) comment += " of layer " + p.layer_digest;
    package["comment"] = comment;
    return package;
}

std::string created(const sdk::ReportRun& run, const nlohmann::json& summary) {
    if (summary.is_object() && summary.value("finished", nlohmann::json()).is_string())
        if (auto time = util::parse_rfc3339(summary["finished"].get<std::string>())) return util::format_utc(*time);
    if (auto time = util::parse_rfc3339(run.started)) return util::format_utc(*time);
    return util::now_utc();
}

}  // namespace

std::string spdx_license_declared(const std::vector<std::string>& declared, std::map<std::string, std::string>& refs) {
    if (declared.empty()) return "NOASSERTION";
    std::string joined;
    for (const auto& name : declared) {
        auto term = catalog::license::spdx_expression(name);
        if (term.empty()) term = catalog::license::spdx_id(name);
        if (term.empty()) {
            term = catalog::license::license_ref(name);
            refs.emplace(term, name);
        }
        if (term.find(' ') != std::string::npos && declared.size() > 1) term = "(" + term + ")";
        joined += (joined.empty() ? "" : " AND ") + term;
    }
    return joined;
}

SpdxReport::SpdxReport(const sdk::ReportRun& run, bool per_image)
    : run_(run), path_(report_path(run, "-report.spdx.json")), per_image_(per_image) {
    if (!per_image_) packages_ = std::make_unique<SpilledEntries>(path_);
}

SpdxReport::~SpdxReport() = default;

SpdxReport::ImagePart SpdxReport::image_part(const scan::ImageResult& image, size_t number) {
    ImagePart part;
    auto image_id = "SPDXRef-Image-" + std::to_string(number);
    nlohmann::json container = {{"SPDXID", image_id},
                                {"name", image_reference(image)},
                                {"downloadLocation", "NOASSERTION"},
                                {"filesAnalyzed", false},
                                {"licenseConcluded", "NOASSERTION"},
                                {"licenseDeclared", "NOASSERTION"},
                                {"copyrightText", "NOASSERTION"},
                                {"primaryPackagePurpose", "CONTAINER"}};
    if (!image.digest.empty()) {
        container["versionInfo"] = image.digest;
        container["externalRefs"] = {purl_reference(oci_purl(image))};
    }
    if (image.digest.rfind("sha256:", 0) == 0 && image.digest.size() == 7 + 64)
        container["checksums"] = {{{"algorithm", "SHA256"}, {"checksumValue", image.digest.substr(7)}}};
    std::string comment = "status " + scan::to_string(image.status);
    if (!image.platform.empty()) comment += ", platform " + image.platform;
    if (!image.error.empty()) comment += ": " + image.error;
    container["comment"] = comment;
    part.packages.push_back(container);
    part.relationships.push_back(relationship("SPDXRef-DOCUMENT", "DESCRIBES", image_id));
    if (image.os) {
        auto os_id = image_id + "-os";
        nlohmann::json os = {{"SPDXID", os_id},
                             {"name", image.os->id.empty() ? std::string("unknown") : image.os->id},
                             {"downloadLocation", "NOASSERTION"},
                             {"filesAnalyzed", false},
                             {"licenseConcluded", "NOASSERTION"},
                             {"licenseDeclared", "NOASSERTION"},
                             {"copyrightText", "NOASSERTION"},
                             {"primaryPackagePurpose", "OPERATING-SYSTEM"}};
        if (!image.os->version_id.empty()) os["versionInfo"] = image.os->version_id;
        if (!image.os->pretty_name.empty()) os["description"] = image.os->pretty_name;
        part.packages.push_back(os);
        part.relationships.push_back(relationship(image_id, "CONTAINS", os_id));
    }
    std::vector<std::string> ids;
    for (size_t i = 0; i < image.packages.size(); ++i) {
        ids.push_back("SPDXRef-Package-" + std::to_string(number) + "-" + std::to_string(i + 1));
        part.packages.push_back(package_json(image.packages[i], ids.back(), license_refs_));
        part.relationships.push_back(relationship(image_id, "CONTAINS", ids.back()));
    }
    auto graph = package_dependencies(image.packages);
    for (size_t i = 0; i < graph.size(); ++i)
        for (size_t j : graph[i]) part.relationships.push_back(relationship(ids[i], "DEPENDS_ON", ids[j]));
    return part;
}

nlohmann::json SpdxReport::document_header(const std::string& name) const {
    auto host = registry_host(run_.registry);
    return {{"spdxVersion", "SPDX-2.3"},
            {"dataLicense", "CC0-1.0"},
            {"SPDXID", "SPDXRef-DOCUMENT"},
            {"name", name},
            // Unique per document, as the specification asks: a random UUID.
            {"documentNamespace", std::string(tool_information_uri) + "/spdx/" + percent_encode(host, "") + "/" +
                                      random_uuid_urn().substr(9)},
            {"creationInfo", {{"creators", {"Tool: " + std::string(tool_name) + "-" + tool_version()}}}}};
}

void SpdxReport::result(const scan::ImageResult& image) {
    auto part = image_part(image, ++images_);
    if (!per_image_) {
        for (auto& package : part.packages) packages_->add(image_sort_key(image), package);
        for (auto& r : part.relationships) relationships_.push_back(std::move(r));
        return;
    }
    auto document = document_header(image_reference(image) + (image.platform.empty() ? "" : " " + image.platform));
    document["creationInfo"]["created"] = util::now_utc();
    document["packages"] = part.packages;
    document["relationships"] = part.relationships;
    if (!license_refs_.empty()) {
        auto infos = nlohmann::json::array();
        for (const auto& [id, name] : license_refs_)
            infos.push_back({{"licenseId", id}, {"name", name},
                             {"extractedText", "The package data declares the license as: " + name}});
        document["hasExtractedLicensingInfos"] = infos;
        license_refs_.clear();
    }
    auto path = per_image_path(run_, image, ".spdx.json");
    write_file_atomically(path, [&](std::ostream& out) { out << dump_json(document); });
    written_.push_back(path.string());
}

std::vector<std::string> SpdxReport::finish(const nlohmann::json& summary) {
    if (per_image_) return written_;
    auto document = document_header(std::string(tool_name) + " scan of " + registry_without_credentials(run_.registry));
    document["creationInfo"]["created"] = created(run_, summary);
    document["relationships"] = relationships_;
    if (!license_refs_.empty()) {
        auto infos = nlohmann::json::array();
        for (const auto& [id, name] : license_refs_)
            infos.push_back({{"licenseId", id}, {"name", name},
                             {"extractedText", "The package data declares the license as: " + name}});
        document["hasExtractedLicensingInfos"] = infos;
    }
    packages_->write_document_to(path_, document, "packages");
    return {path_.string()};
}

}  // namespace regscan::report
