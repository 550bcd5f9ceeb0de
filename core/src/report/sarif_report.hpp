// --format sarif: <stem>-report.sarif, SARIF 2.1.0 for code-scanning
// dashboards. One run; one rule per vulnerability or misconfiguration id; one
// result per finding per image, located at the image and the package (line 1:
// GitHub asks every location for a region). automationDetails.id is
// "regscan/<registry host>/", so two registries' uploads keep their alerts.
// --sarif-per-image: one file per image, each its own category. Over
// GitHub's limits (25,000 results or rules per run, 10 MB gzip) every result
// is still written and a warning says so.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "regscan/reporter.hpp"
#include "report/result_reporter.hpp"
#include "scan/model.hpp"

namespace regscan::report {

enum class SarifText { plain, markdown };

// `text` as a SARIF message string. plain: "\\", "[" and "]" escaped with a
// backslash (an unescaped pair is an embedded link, §3.11.6), "{" and "}"
// doubled (placeholders, §3.11.5). Every message.text passes through it: a
// registry chooses the names, paths and errors they quote.
// markdown: every ASCII punctuation character escaped with a backslash, which
// CommonMark (§2.4) shows back as the character itself, so no link, autolink,
// raw HTML, code span, emphasis or heading can form, nor a placeholder. For
// the OSV text (summaries) a rule's help.markdown quotes.
std::string sarif_message_text(std::string_view text, SarifText kind = SarifText::plain);

// "error" for critical and high, "warning" for medium, "note" otherwise.
std::string sarif_level(scan::Severity severity);

// GitHub code scanning ranks a rule by properties.security-severity, a CVSS
// score as a string ("9.8"): the score when known, else a score inside the
// band GitHub gives the severity; nullopt for an unknown severity.
std::optional<std::string> sarif_security_severity(scan::Severity severity, double cvss_score);

// The image as a URI reference: "127.0.0.1%3A5000/team/app:1" (a ':' in the
// first segment would read as a scheme, so the port's is escaped).
std::string sarif_image_uri(const scan::ImageResult& image);

// GitHub code scanning's documented limits on one SARIF upload.
inline constexpr size_t sarif_github_max_results = 25000;  // per run, results and rules
inline constexpr size_t sarif_github_shown_results = 5000;
inline constexpr size_t sarif_github_max_gzip_bytes = 10u * 1000 * 1000;

class SarifReport final : public ResultReporter {
public:
    explicit SarifReport(const sdk::ReportRun& run, bool per_image = false);
    void result(const scan::ImageResult& image) override;
    std::vector<std::string> finish(const nlohmann::json& summary) override;

    [[nodiscard]] nlohmann::json document(const nlohmann::json& summary) const;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    // `only`: the document of that one image (--sarif-per-image).
    [[nodiscard]] nlohmann::json document_of(const std::vector<scan::ImageResult>& images, const nlohmann::json& summary,
                                             const scan::ImageResult* only) const;

    sdk::ReportRun run_;
    std::filesystem::path path_;
    bool per_image_ = false;
    std::vector<scan::ImageResult> images_;
};

}  // namespace regscan::report
