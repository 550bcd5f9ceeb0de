#include "vulndb/osv_record.hpp"

#include <cctype>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "util/text.hpp"
#include "util/time.hpp"

namespace regscan::vulndb {
namespace {

using nlohmann::json;

// A failure to read one field; caught once per record and turned into OsvError.
struct Invalid {
    std::string reason;
};

std::string quoted(const json& value) {
    std::string text = value.dump();
    return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

const json* member(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return nullptr;
    return &*it;
}

std::string string_field(const json& object, const char* key, const std::string& where, bool required) {
    const json* value = member(object, key);
    if (!value) {
        if (required) throw Invalid{where + key + ": missing"};
        return {};
    }
    if (!value->is_string()) throw Invalid{where + key + ": not a string: " + quoted(*value)};
    return value->get<std::string>();
}

std::vector<std::string> string_list(const json& object, const char* key, const std::string& where) {
    std::vector<std::string> out;
    const json* value = member(object, key);
    if (!value) return out;
    if (!value->is_array()) throw Invalid{where + key + ": not an array"};
    for (const auto& item : *value) {
        if (!item.is_string()) throw Invalid{where + key + ": holds a non-string: " + quoted(item)};
        out.push_back(item.get<std::string>());
    }
    return out;
}

std::vector<OsvSeverity> severity_list(const json& object, const std::string& where) {
    std::vector<OsvSeverity> out;
    const json* value = member(object, "severity");
    if (!value) return out;
    if (!value->is_array()) throw Invalid{where + "severity: not an array"};
    for (size_t i = 0; i < value->size(); ++i) {
        const json& item = (*value)[i];
        std::string at = where + "severity[" + std::to_string(i) + "].";
        if (!item.is_object()) throw Invalid{at + ": not an object"};
        out.push_back({string_field(item, "type", at, true), string_field(item, "score", at, true)});
    }
    return out;
}

// "severity" inside an ecosystem_specific or database_specific object: a
// word for GHSA ("HIGH") and most distributions; other shapes are ignored.
std::string specific_severity(const json& object, const char* block) {
    const json* specific = member(object, block);
    if (!specific || !specific->is_object()) return {};
    const json* word = member(*specific, "severity");
    if (word && word->is_string()) return word->get<std::string>();
    const json* urgency = member(*specific, "urgency");
    if (urgency && urgency->is_string()) return urgency->get<std::string>();
    return {};
}

// A rating given as a severity entry of a non-CVSS type, e.g. Ubuntu's
// {"type": "Ubuntu", "score": "medium"}.
std::string rating_entry(const std::vector<OsvSeverity>& severity) {
    for (const auto& entry : severity)
        if (entry.type.rfind("CVSS", 0) != 0) return entry.score;
    return {};
}

OsvEvent parse_event(const json& item, const std::string& at) {
    if (!item.is_object()) throw Invalid{at + ": not an object"};
    if (item.size() != 1)
        throw Invalid{at + ": an event holds exactly one of introduced, fixed, last_affected, limit: " + quoted(item)};
    static const std::pair<const char*, EventKind> kinds[] = {{"introduced", EventKind::introduced},
                                                              {"fixed", EventKind::fixed},
                                                              {"last_affected", EventKind::last_affected},
                                                              {"limit", EventKind::limit}};
    for (const auto& [key, kind] : kinds) {
        if (!item.contains(key)) continue;
        const json& version = item.at(key);
        if (!version.is_string() || version.get<std::string>().empty())
            throw Invalid{at + "." + key + ": not a version string: " + quoted(version)};
        return {kind, version.get<std::string>()};
    }
    throw Invalid{at + ": unknown event " + quoted(item)};
}

OsvRange parse_range(const json& item, const std::string& at) {
    if (!item.is_object()) throw Invalid{at + ": not an object"};
    OsvRange range;
    range.type = string_field(item, "type", at + ".", true);
    const json* events = member(item, "events");
    if (!events) throw Invalid{at + ".events: missing"};
    if (!events->is_array() || events->empty()) throw Invalid{at + ".events: not a non-empty array"};
    bool introduced = false, fixed = false, last_affected = false;
    for (size_t i = 0; i < events->size(); ++i) {
        range.events.push_back(parse_event((*events)[i], at + ".events[" + std::to_string(i) + "]"));
        introduced |= range.events.back().kind == EventKind::introduced;
        fixed |= range.events.back().kind == EventKind::fixed;
        last_affected |= range.events.back().kind == EventKind::last_affected;
    }
    if (!introduced) throw Invalid{at + ".events: no introduced event"};
    if (fixed && last_affected) throw Invalid{at + ".events: both fixed and last_affected events"};
    return range;
}

OsvAffected parse_affected(const json& item, const std::string& at) {
    if (!item.is_object()) throw Invalid{at + ": not an object"};
    OsvAffected affected;
    const json* package = member(item, "package");
    if (!package || !package->is_object()) throw Invalid{at + ".package: missing"};
    affected.ecosystem = string_field(*package, "ecosystem", at + ".package.", true);
    affected.name = string_field(*package, "name", at + ".package.", true);
    if (affected.ecosystem.empty() || affected.name.empty()) throw Invalid{at + ".package: empty ecosystem or name"};
    if (const json* ranges = member(item, "ranges")) {
        if (!ranges->is_array()) throw Invalid{at + ".ranges: not an array"};
        for (size_t i = 0; i < ranges->size(); ++i)
            affected.ranges.push_back(parse_range((*ranges)[i], at + ".ranges[" + std::to_string(i) + "]"));
    }
    affected.versions = string_list(item, "versions", at + ".");
    affected.severity = severity_list(item, at + ".");
    affected.severity_word = specific_severity(item, "ecosystem_specific");
    if (affected.severity_word.empty()) affected.severity_word = specific_severity(item, "database_specific");
    if (affected.severity_word.empty()) affected.severity_word = rating_entry(affected.severity);
    return affected;
}

// Red Hat-style summaries start with the advisory's rating: "Important: openssl security update".
std::string summary_rating(const std::string& summary) {
    for (const char* word : {"Critical:", "Important:", "Moderate:", "Low:"})
        if (summary.rfind(word, 0) == 0) return std::string(word, std::char_traits<char>::length(word) - 1);
    return {};
}

std::string short_details(const std::string& details) {
    std::string line = details.substr(0, details.find('\n'));
    if (line.size() > 200) {
        line = line.substr(0, util::utf8_boundary(line, 197)) + "...";
    }
    return line;
}

OsvRecord parse_object(const json& root) {
    if (!root.is_object()) throw Invalid{"the record is not a JSON object"};
    OsvRecord record;
    record.id = string_field(root, "id", "", true);
    if (record.id.empty()) throw Invalid{"id: empty"};
    for (char c : record.id)
        if (std::isspace(static_cast<unsigned char>(c)) || c == '/' || static_cast<unsigned char>(c) < 0x20)
            throw Invalid{"id: not an identifier: " + quoted(root.at("id"))};
    auto time_field = [&](const char* key, bool required) {
        std::string text = string_field(root, key, "", required);
        if (text.empty() && !required) return std::string();
        std::string normal = normalise_timestamp(text);
        if (normal.empty()) throw Invalid{std::string(key) + ": not an RFC 3339 time: \"" + text + "\""};
        return normal;
    };
    record.modified = time_field("modified", true);
    time_field("published", false);
    record.withdrawn = !time_field("withdrawn", false).empty();
    record.aliases = string_list(root, "aliases", "");
    record.upstream = string_list(root, "upstream", "");
    record.related = string_list(root, "related", "");
    record.summary = string_field(root, "summary", "", false);
    std::string details = string_field(root, "details", "", false);
    record.severity_word = specific_severity(root, "database_specific");
    if (record.severity_word.empty()) record.severity_word = summary_rating(record.summary);
    if (record.summary.empty()) record.summary = short_details(details);
    record.severity = severity_list(root, "");
    if (record.severity_word.empty()) record.severity_word = rating_entry(record.severity);
    if (const json* references = member(root, "references")) {
        if (!references->is_array()) throw Invalid{"references: not an array"};
        for (size_t i = 0; i < references->size(); ++i) {
            const json& item = (*references)[i];
            std::string at = "references[" + std::to_string(i) + "].";
            if (!item.is_object()) throw Invalid{at + ": not an object"};
            record.references.push_back(string_field(item, "url", at, true));
        }
    }
    if (const json* affected = member(root, "affected")) {
        if (!affected->is_array()) throw Invalid{"affected: not an array"};
        for (size_t i = 0; i < affected->size(); ++i)
            record.affected.push_back(parse_affected((*affected)[i], "affected[" + std::to_string(i) + "]"));
    }
    if (!record.severity.empty())
        for (const auto& affected : record.affected)
            if (!affected.severity.empty())
                throw Invalid{"severity is set both for the record and for an affected package"};
    return record;
}

}  // namespace

std::variant<OsvRecord, OsvError> parse_osv_record(std::string_view text) {
    json root;
    try {
        root = json::parse(text);
    } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e99999
        return OsvError{{}, std::string("not JSON: ") + e.what()};
    }
    try {
        return parse_object(root);
    } catch (const Invalid& e) {
        std::string id;
        if (root.is_object() && root.contains("id") && root["id"].is_string()) id = root["id"].get<std::string>();
        return OsvError{id, e.reason};
    } catch (const json::exception& e) {
        return OsvError{{}, e.what()};
    }
}

std::string normalise_timestamp(std::string_view text) {
    auto seconds = util::parse_rfc3339(text);
    if (!seconds || text.size() < 19 || (text[10] != 'T' && text[10] != 't')) return {};
    std::string fraction;
    if (text.size() > 19 && text[19] == '.')
        for (size_t i = 20; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i)
            fraction += text[i];
    if (fraction.size() > 9) fraction.resize(9);
    fraction.append(9 - fraction.size(), '0');
    std::string whole = util::format_utc(*seconds);  // "YYYY-MM-DDTHH:MM:SSZ"
    whole.pop_back();
    return whole + "." + fraction + "Z";
}

}  // namespace regscan::vulndb
