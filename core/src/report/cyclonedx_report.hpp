// --format cyclonedx: <stem>-report.cdx.json, a CycloneDX 1.5 BOM of the
// registry: one container component per image with its packages nested, and
// every vulnerability once, affecting the packages it was found in. Packages
// carry their declared licenses, purls the source package (upstream=); the
// dependencies say registry -> images -> packages -> what each package's data
// says it needs. --sbom-per-image: one BOM per image, the image its subject.
// Misconfigurations have no place in CycloneDX 1.5; they are listed as the
// image's "regscan:misconfiguration" properties. Image components are spilled
// to a scratch file as they arrive; only the vulnerabilities stay in memory.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "regscan/reporter.hpp"
#include "report/result_reporter.hpp"
#include "report/spilled_entries.hpp"
#include "scan/model.hpp"

namespace regscan::report {

// "urn:uuid:" and a random (version 4) UUID from OpenSSL's RAND_bytes.
std::string random_uuid_urn();

// CycloneDX's scoreMethod for a CVSS vector: "CVSSv31", "CVSSv3", "CVSSv4",
// "CVSSv2", or "other" when there is no vector.
std::string cyclonedx_score_method(const std::string& cvss_vector);

// The purl-spec "oci" purl of an image: pkg:oci/app@sha256%3A...?repository_url=host/team/app&tag=1
std::string oci_purl(const scan::ImageResult& image);

class CycloneDxReport final : public ResultReporter {
public:
    // `per_image` (--sbom-per-image): one BOM per image, written as it is done.
    explicit CycloneDxReport(const sdk::ReportRun& run, bool per_image = false);
    ~CycloneDxReport() override;
    void result(const scan::ImageResult& image) override;
    // Each package is a component of the BOM.
    [[nodiscard]] bool takes_stored() const override { return false; }
    std::vector<std::string> finish(const nlohmann::json& summary) override;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    struct Findings;  // the vulnerabilities, merged by id
    // The document without components; `subject` the metadata.component
    // (null: the registry).
    [[nodiscard]] nlohmann::json bom_header(const nlohmann::json& summary, nlohmann::json subject) const;
    void write_image_bom(const scan::ImageResult& image, const std::string& ref, nlohmann::json component,
                         const std::vector<std::pair<std::string, const scan::Package*>>& package_refs);

    sdk::ReportRun run_;
    std::filesystem::path path_;
    SpilledEntries components_;
    std::unique_ptr<Findings> findings_;
    bool per_image_ = false;
    std::vector<std::string> written_;
};

}  // namespace regscan::report
