// --format spdx: <stem>-report.spdx.json, an SPDX 2.3 JSON document of the
// registry: the document DESCRIBES each image (a CONTAINER package with its
// oci purl and digest), each image CONTAINS its OS and packages (purls as
// PACKAGE-MANAGER externalRefs, declared licenses as licenseDeclared: SPDX
// ids where regscan knows them, LicenseRef- with hasExtractedLicensingInfos
// otherwise), and a package DEPENDS_ON those its data names. Vulnerabilities
// have no place in SPDX 2.3; they are in the JSON, SARIF and CycloneDX
// reports. --sbom-per-image: one document per image.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "regscan/reporter.hpp"
#include "report/result_reporter.hpp"
#include "report/spilled_entries.hpp"
#include "scan/model.hpp"

namespace regscan::report {

// An SPDX license expression for what a package declares: "NOASSERTION"
// when nothing; known names as SPDX ids, others as LicenseRef- (added to
// `refs`, LicenseRef -> declared name); several joined with AND.
std::string spdx_license_declared(const std::vector<std::string>& declared, std::map<std::string, std::string>& refs);

class SpdxReport final : public ResultReporter {
public:
    explicit SpdxReport(const sdk::ReportRun& run, bool per_image = false);
    ~SpdxReport() override;
    void result(const scan::ImageResult& image) override;
    // Each package is listed.
    [[nodiscard]] bool takes_stored() const override { return false; }
    std::vector<std::string> finish(const nlohmann::json& summary) override;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    // The image's packages (SPDXIDs from `number`) and its relationships.
    struct ImagePart {
        std::vector<nlohmann::json> packages;  // the image first
        std::vector<nlohmann::json> relationships;
    };
    ImagePart image_part(const scan::ImageResult& image, size_t number);
    [[nodiscard]] nlohmann::json document_header(const std::string& name) const;

    sdk::ReportRun run_;
    std::filesystem::path path_;
    bool per_image_ = false;
    std::unique_ptr<SpilledEntries> packages_;
    std::vector<nlohmann::json> relationships_;
    std::map<std::string, std::string> license_refs_;
    size_t images_ = 0;
    std::vector<std::string> written_;
};

}  // namespace regscan::report
