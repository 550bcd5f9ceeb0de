// vulndb::parse_osv_record on one record as an OSV export holds it, then what
// the matcher does with an accepted record: every affected range evaluated
// against the versions the record itself names, CVSS vectors scored.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "vulndb/cvss.hpp"
#include "vulndb/ecosystem.hpp"
#include "vulndb/osv_record.hpp"
#include "vulndb/range_match.hpp"

using namespace regscan::vulndb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view json(reinterpret_cast<const char*>(data), size);
    auto parsed = parse_osv_record(json);
    (void)normalise_timestamp(json.substr(0, 64));
    auto* record = std::get_if<OsvRecord>(&parsed);
    if (!record) return 0;
    for (const auto& severity : record->severity) (void)cvss3_base_score(severity.score);
    for (const auto& affected : record->affected) {
        (void)ecosystem_key(affected.ecosystem);
        (void)package_name_key(affected.ecosystem, affected.name);
        (void)keyed_by_source_package(affected.ecosystem);
        for (const auto& severity : affected.severity) (void)cvss3_base_score(severity.score);
        for (const auto& range : affected.ranges) {
            (void)range_scheme(range.type, affected.ecosystem);
            for (const auto& event : range.events) (void)evaluate_affected(affected, event.version);
        }
        for (const auto& version : affected.versions) (void)evaluate_affected(affected, version);
        (void)evaluate_affected(affected, "0");
    }
    return 0;
}
